using MoeTune.Engine.Bench;
using MoeTune.Engine.Bench.Comparison;
using MoeTune.Host.Commands;

namespace MoeTune.Engine.Tests.Bench;

public sealed class BenchSummaryTests
{
    [Fact]
    public void The_comparison_prints_its_verdict_then_the_points_furthest_outside_noise_first()
    {
        // 15 steady points (1% IQR): T = 1 … 15 slower by 2.5·T %, so T = 2 … 15 (14 points) fall outside the 4% tolerance.
        var tokens = Enumerable.Range(1, 15).ToList();
        var comparison = BenchComparer.Compare(
            Run(tokens.Select(t => Point(t, 100)).ToArray()),
            Run(tokens.Select(t => Point(t, 100 + (2.5 * t))).ToArray()),
            "/old/bench.json");
        var output = new StringWriter();

        BenchSummary.PrintComparison(output, comparison);

        var lines = output.ToString().TrimEnd().Split(Environment.NewLine);
        Assert.Equal(comparison.Verdict, lines[0]);
        Assert.Equal(1 + BenchSummary.OutsideListed + 1, lines.Length);
        Assert.Equal("  outside: m nvfp4 · Marlin · T=15 · uniform · graph: 100.0 → 137.5 µs (1.375×, tolerance ±4.0%)", lines[1]);
        Assert.StartsWith("  outside: m nvfp4 · Marlin · T=6 ·", lines[^2], StringComparison.Ordinal);
        Assert.Equal("  … and 4 more outside noise (see bench.md)", lines[^1]);
    }

    private static ComparableRun Run(ComparablePoint[] points) => new("GPU", DateTimeOffset.UnixEpoch, "moetune bench", points);

    private static ComparablePoint Point(int tokens, double median) =>
        new("m nvfp4", new PointKey("moe1", "Marlin", tokens, "uniform", TimingMode.Graph), median, median * 0.995, median * 1.005);
}
