namespace MoeTune.Tuning;

/// <summary>How a candidate fared before timing counted. Only <see cref="Ok"/> candidates can win.</summary>
public enum CandidateOutcome
{
    /// <summary>Passed the correctness gate and was timed.</summary>
    Ok,

    /// <summary>Threw, hit a CUDA error or timed out; the detail is the error.</summary>
    Failed,

    /// <summary>Said it cannot run this problem on this device; the detail is its reason.</summary>
    Unsupported,

    /// <summary>Ran, but its output missed the CPU reference beyond the tolerance; the detail says by how much.</summary>
    Incorrect,
}

/// <summary>
/// One candidate backend as the plan rules see it: its outcome, its median time per call at each token bucket it was
/// timed at, and the device memory it needs (prepared weights plus workspaces).
/// </summary>
public sealed record CandidateResult(
    string Backend,
    CandidateOutcome Outcome,
    IReadOnlyDictionary<int, double> MedianMicroseconds,
    long WeightBytes,
    long WorkspaceBytes,
    string Detail = "")
{
    private static readonly Dictionary<int, double> NoTimes = [];

    /// <summary>Device bytes the candidate keeps while loaded.</summary>
    public long TotalBytes => WeightBytes + WorkspaceBytes;

    public bool CanWin => Outcome == CandidateOutcome.Ok;

    public static CandidateResult Timed(string backend, IReadOnlyDictionary<int, double> medianMicroseconds, long weightBytes, long workspaceBytes) =>
        new(backend, CandidateOutcome.Ok, medianMicroseconds, weightBytes, workspaceBytes);

    public static CandidateResult Failed(string backend, string error) => new(backend, CandidateOutcome.Failed, NoTimes, 0, 0, error);

    public static CandidateResult Unsupported(string backend, string reason) => new(backend, CandidateOutcome.Unsupported, NoTimes, 0, 0, reason);

    public static CandidateResult Incorrect(string backend, string detail) => new(backend, CandidateOutcome.Incorrect, NoTimes, 0, 0, detail);
}
