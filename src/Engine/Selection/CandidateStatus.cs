using System.Globalization;

namespace MoeTune.Engine.Selection;

/// <summary>What became of one candidate, for the selection line and the candidate tables.</summary>
public enum CandidateState
{
    /// <summary>Can run the problem; not measured this time.</summary>
    Supported,

    /// <summary>Said no, with a reason.</summary>
    Unsupported,

    /// <summary>Failed the correctness gate, threw, or ran out of budget before a result.</summary>
    Failed,

    /// <summary>Passed the gate and was timed.</summary>
    Timed,
}

/// <summary>One candidate's status: <see cref="Detail"/> is the reason (unsupported) or the error (failed).</summary>
public sealed record CandidateStatus(string Name, CandidateState State, string Detail = "", double? MedianMicroseconds = null)
{
    public override string ToString() => State switch
    {
        CandidateState.Supported => $"{Name} supported",
        CandidateState.Unsupported => $"{Name} unsupported ({Detail})",
        CandidateState.Failed => $"{Name} failed ({Detail})",
        CandidateState.Timed => string.Create(CultureInfo.InvariantCulture, $"{Name} timed (median {MedianMicroseconds:0.#} µs{(Detail.Length > 0 ? ", " + Detail : "")})"),
        _ => throw new InvalidOperationException($"unknown candidate state {State}"),
    };
}
