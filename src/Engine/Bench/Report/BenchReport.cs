using MoeTune.Engine.Bench.Ceilings;

namespace MoeTune.Engine.Bench.Report;

/// <summary>
/// A whole bench run: where it ran, the ceilings measured there, every problem with every backend's timings and
/// floors, the regret table, the notes the run made about itself, and, where the GPU became unusable, why it stopped.
/// </summary>
public sealed record BenchReport(
    BenchEnvironment Environment,
    HardwareCeilings Ceilings,
    IReadOnlyList<BenchProblem> Problems,
    IReadOnlyList<RegretRow> Regret,
    IReadOnlyList<string> Notes,
    TimeSpan Elapsed,
    string? Aborted)
{
    /// <summary>True where nothing failed: every backend was measured or honestly unsupported, and every timing ran.</summary>
    public bool IsClean => Aborted is null && Problems.All(p => p.Backends.All(b =>
        (b.Status is BackendStatus.Measured or BackendStatus.Unsupported) && b.Points.All(pt => pt.Status == PointStatus.Measured)));
}
