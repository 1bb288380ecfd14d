using MoeTune.Engine.Bench.Ceilings;
using MoeTune.Engine.Bench.Comparison;

namespace MoeTune.Engine.Bench.Report;

/// <summary>
/// A whole bench run: where it ran, the ceilings measured there, every problem with every backend's timings and
/// floors, the regret table, the notes the run made about itself, where the GPU became unusable, why it stopped, and,
/// where asked, the comparison with an earlier run.
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
    /// <summary>This run against an earlier one (<c>bench --compare</c>); null where none was asked for.</summary>
    public BenchComparison? Comparison { get; init; }

    /// <summary>True where nothing failed: every backend was measured or honestly unsupported, and every timing ran.</summary>
    public bool IsClean => Aborted is null && Problems.All(p => p.Backends.All(b =>
        (b.Status is BackendStatus.Measured or BackendStatus.Unsupported) && b.Points.All(pt => pt.Status == PointStatus.Measured)));
}
