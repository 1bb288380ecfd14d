namespace MoeTune.Engine.Bench.Report;

/// <summary>What became of one backend on one problem. Every requested backend appears, whatever happened to it.</summary>
public enum BackendStatus
{
    /// <summary>Prepared, passed the gate (where on) and was timed; its points say how each timing went.</summary>
    Measured,

    /// <summary>Said it cannot run the problem on this device; the detail is its reason.</summary>
    Unsupported,

    /// <summary>Its support check or preparation threw; the detail is the error and the step.</summary>
    Failed,

    /// <summary>Missed the CPU reference beyond the bf16 tolerance in the correctness gate; not timed.</summary>
    Incorrect,

    /// <summary>Not attempted: an earlier error left the GPU unusable; the detail names it.</summary>
    NotRun,
}

/// <summary>One backend on one problem: its identity, its status and why, its memory, and its timings.</summary>
public sealed record BackendRun(
    string Backend,
    string Version,
    string Source,
    BackendStatus Status,
    string Detail,
    long WeightBytes,
    long WorkspaceBytes,
    double? CorrectnessError,
    IReadOnlyList<BenchPoint> Points)
{
    /// <summary>The median at (<paramref name="tokens"/>, <paramref name="routing"/>, <paramref name="mode"/>), where measured.</summary>
    public double? MedianAt(int tokens, string routing, TimingMode mode) =>
        Points.FirstOrDefault(p => p.Tokens == tokens && p.Routing == routing && p.Mode == mode && p.Status == PointStatus.Measured)?.MedianMicroseconds;
}
