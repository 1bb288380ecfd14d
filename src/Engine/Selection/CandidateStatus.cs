using System.Globalization;
using MoeTune.Tuning;
using MoeTune.TuningDb;

namespace MoeTune.Engine.Selection;

/// <summary>What became of one candidate, for the selection line and the candidate tables.</summary>
public enum CandidateState
{
    /// <summary>Can run the problem; not measured.</summary>
    Supported,

    /// <summary>Said no, with a reason.</summary>
    Unsupported,

    /// <summary>Threw, failed the correctness gate, or could not be prepared.</summary>
    Failed,

    /// <summary>Passed the gate and was timed.</summary>
    Timed,
}

/// <summary>
/// One candidate's status: <see cref="Detail"/> is the reason (unsupported), the error (failed) or a note (timed);
/// <see cref="MedianMicroseconds"/> holds the median time per token bucket where it was timed.
/// </summary>
public sealed record CandidateStatus(string Name, CandidateState State, string Detail, IReadOnlyDictionary<int, double> MedianMicroseconds)
{
    private static readonly Dictionary<int, double> NoTimes = [];

    public static CandidateStatus Supported(string name) => new(name, CandidateState.Supported, "", NoTimes);

    public static CandidateStatus Unsupported(string name, string reason) => new(name, CandidateState.Unsupported, reason, NoTimes);

    public static CandidateStatus Failed(string name, string error) => new(name, CandidateState.Failed, error, NoTimes);

    /// <summary>The status a stored or fresh measurement stands for.</summary>
    public static CandidateStatus From(CandidateMeasurement measurement)
    {
        ArgumentNullException.ThrowIfNull(measurement);
        var name = measurement.Plugin.Backend;
        return measurement.Outcome switch
        {
            CandidateOutcome.Ok => new CandidateStatus(
                name, CandidateState.Timed, measurement.Detail, measurement.Buckets.ToDictionary(b => b.Tokens, b => b.Statistics.Median)),
            CandidateOutcome.Unsupported => Unsupported(name, measurement.Detail),
            CandidateOutcome.Incorrect => Failed(name, "incorrect: " + measurement.Detail),
            _ => Failed(name, measurement.Detail),
        };
    }

    /// <summary>For example "Marlin timed (median 12.5 µs at 1 tok … 830 µs at 4096 tok)".</summary>
    public override string ToString() => State switch
    {
        CandidateState.Supported => $"{Name} supported",
        CandidateState.Unsupported => $"{Name} unsupported ({Detail})",
        CandidateState.Failed => $"{Name} failed ({Detail})",
        CandidateState.Timed => $"{Name} timed (median {DescribeMedians()}{(Detail.Length > 0 ? "; " + Detail : "")})",
        _ => throw new InvalidOperationException($"unknown candidate state {State}"),
    };

    private string DescribeMedians()
    {
        var ordered = MedianMicroseconds.OrderBy(p => p.Key).ToList();
        if (ordered.Count == 0)
        {
            return "not recorded";
        }

        static string One(KeyValuePair<int, double> p) => string.Create(CultureInfo.InvariantCulture, $"{p.Value:0.#} µs at {p.Key} tok");
        return ordered.Count == 1 ? One(ordered[0]) : $"{One(ordered[0])} … {One(ordered[^1])}";
    }
}
