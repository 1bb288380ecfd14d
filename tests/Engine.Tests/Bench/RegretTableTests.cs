using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Engine.Bench;
using MoeTune.Engine.Bench.Report;
using MoeTune.Engine.Bench.Roofline;

namespace MoeTune.Engine.Tests.Bench;

public sealed class RegretTableTests
{
    private const string Uniform = "uniform";

    [Fact]
    public void Each_backend_and_the_default_tuned_plan_are_timed_against_the_best_of_the_bucket()
    {
        // A wins decode, B wins prefill; the latency objective weighs decode fully, so the tuned plan is A.
        var problem = Problem(
            Run("A", (1, TimingMode.Graph, 10), (1, TimingMode.Eager, 30), (4096, TimingMode.Eager, 2000)),
            Run("B", (1, TimingMode.Graph, 20), (1, TimingMode.Eager, 25), (4096, TimingMode.Eager, 1000)));

        var rows = RegretTable.Build([problem], [1, 4096], [Uniform], [TimingMode.Graph, TimingMode.Eager], DeviceKind.Cuda);

        Assert.Equal(2, rows.Count);
        var decode = rows[0];
        Assert.Equal((1, TimingMode.Graph, "A", 10.0), (decode.Tokens, decode.Mode, decode.Best, decode.BestMicroseconds!.Value));
        Assert.Equal(2.0, decode.Backends.Single(b => b.Backend == "B").Regret);
        Assert.Equal(new RegretPlan("A", "A", 1.0, 0), decode.Tuned);
        var prefill = rows[1];
        Assert.Equal((4096, TimingMode.Eager, "B"), (prefill.Tokens, prefill.Mode, prefill.Best));
        Assert.Equal(new RegretPlan("A", "A", 2.0, 0), prefill.Tuned);
        Assert.Equal(5.0, decode.FloorMicroseconds);
    }

    [Fact]
    public void The_hybrid_plan_takes_each_buckets_fastest_backend_and_costs_the_other_backends_memory()
    {
        // As on the H100: A (Marlin-like) wins decode, B (a grouped GEMM) wins prefill by 2×.
        var problem = Problem(
            Run("A", (1, TimingMode.Graph, 10), (4096, TimingMode.Eager, 2000)),
            Run("B", (1, TimingMode.Graph, 20), (4096, TimingMode.Eager, 1000)));

        var rows = RegretTable.Build([problem], [1, 4096], [Uniform], [TimingMode.Graph, TimingMode.Eager], DeviceKind.Cuda);

        const string Hybrid = "1-1: A, 2+: B";
        const long BBytes = 1000 + 10; // B's weights and workspace, kept beside A's
        Assert.Equal(new RegretPlan(Hybrid, "A", 1.0, BBytes), rows[0].Hybrid);
        Assert.Equal(new RegretPlan(Hybrid, "B", 1.0, BBytes), rows[1].Hybrid);
        Assert.Equal(2.0, rows[1].Tuned.Regret);
    }

    [Fact]
    public void A_hybrid_within_the_tie_margin_of_one_backend_is_not_worth_its_copy()
    {
        // B is faster at 4096 by 1%, less than the 3% margin an extra weight copy must earn.
        var problem = Problem(
            Run("A", (1, TimingMode.Graph, 10), (4096, TimingMode.Eager, 1010)),
            Run("B", (1, TimingMode.Graph, 20), (4096, TimingMode.Eager, 1000)));

        var rows = RegretTable.Build([problem], [1, 4096], [Uniform], [TimingMode.Graph, TimingMode.Eager], DeviceKind.Cuda);

        Assert.All(rows, r => Assert.Equal(r.Tuned, r.Hybrid));
        Assert.Equal(new RegretPlan("A", "A", 1.01, 0), rows[1].Hybrid);
    }

    [Fact]
    public void Only_the_measured_mode_is_used_when_the_tuners_is_missing_and_failed_backends_stay_out()
    {
        var failed = new BackendRun("C", "1", "test", BackendStatus.Failed, "prepare: boom", 0, 0, null, []);
        var problem = Problem(Run("A", (1, TimingMode.Eager, 30)), failed);

        var row = Assert.Single(RegretTable.Build([problem], [1], [Uniform], [TimingMode.Eager], DeviceKind.Cuda));

        Assert.Equal(TimingMode.Eager, row.Mode);
        Assert.Equal(["A"], row.Backends.Select(b => b.Backend));
        Assert.Equal(1.0, row.Tuned.Regret);
        Assert.Equal(1.0, row.Hybrid.Regret);
    }

    [Fact]
    public void No_measured_backend_gives_no_best_and_says_why_there_is_no_plan()
    {
        var problem = Problem(new BackendRun("C", "1", "test", BackendStatus.Unsupported, "no", 0, 0, null, []));

        var row = Assert.Single(RegretTable.Build([problem], [1], [Uniform], [TimingMode.Graph], DeviceKind.Cuda));

        Assert.Null(row.Best);
        foreach (var plan in new[] { row.Tuned, row.Hybrid })
        {
            Assert.Null(plan.Regret);
            Assert.Null(plan.Backend);
            Assert.StartsWith("none: ", plan.Plan, StringComparison.Ordinal);
        }
    }

    private static BenchProblem Problem(params BackendRun[] runs) => new(
        "m",
        "test",
        "moe1",
        WeightFormat.Nvfp4,
        "",
        [new RooflineFloor(1, Uniform, 2, 8, 1e6, 1e7, 1e5, 5, 0.1, 5)],
        runs);

    private static BackendRun Run(string name, params (int Tokens, TimingMode Mode, double Us)[] times) => new(
        name,
        "1",
        "test",
        BackendStatus.Measured,
        "",
        1000,
        10,
        0.001,
        [.. times.Select(t => new BenchPoint(t.Tokens, Uniform, t.Mode, PointStatus.Measured, "", 1, Timing(t.Us), null, null, null))]);

    private static TimingSummary Timing(double us) => new(us, us, us, us, us, 0, 0, 1, true, "converged", [us]);
}
