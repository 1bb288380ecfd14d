using MoeTune.Engine.Bench;
using MoeTune.Engine.Bench.Comparison;

namespace MoeTune.Engine.Tests.Bench;

public sealed class BenchComparerTests
{
    private const string H100 = "NVIDIA H100 80GB HBM3";
    private const string Shape = "moe1;E=128;k=8;H=2048;I=768;act=swiglu;fmt=nvfp4";

    [Fact]
    public void Points_match_only_on_shape_backend_tokens_routing_and_mode()
    {
        var previous = Run(H100,
            Point("Marlin", 1, "uniform", TimingMode.Graph, 100),
            Point("Marlin", 4, "uniform", TimingMode.Graph, 200),
            Point("Marlin", 1, "zipf(0.5)", TimingMode.Graph, 100),
            Point("Marlin", 1, "uniform", TimingMode.Eager, 100),
            Point("FlashInferCutlass", 1, "uniform", TimingMode.Graph, 100),
            Point("Marlin", 1, "uniform", TimingMode.Graph, 100) with { Key = Key("Marlin", 1, "uniform", TimingMode.Graph) with { Shape = "moe1;other" } });
        var current = Run(H100,
            Point("Marlin", 1, "uniform", TimingMode.Graph, 101),
            Point("Marlin", 16, "uniform", TimingMode.Graph, 300));

        var comparison = BenchComparer.Compare(previous, current, "old/bench.json");

        var only = Assert.Single(comparison.Points);
        Assert.Equal(Key("Marlin", 1, "uniform", TimingMode.Graph), only.Key);
        Assert.Equal((100.0, 101.0, 1.01), (only.PreviousMedian, only.CurrentMedian, only.Ratio));
        Assert.Equal((5, 1), (comparison.OnlyInPrevious, comparison.OnlyInCurrent));
        Assert.Null(comparison.Refused);
    }

    [Fact]
    public void Each_point_is_judged_with_the_noise_of_both_runs_and_the_run_by_its_median_ratio()
    {
        // Point 1: both steady (2% IQR), 10% slower: outside. Point 2: noisy (20% IQR), 10% slower: within. Point 3: equal.
        var previous = Run(H100, Point("A", 1, "uniform", TimingMode.Graph, 100, 0.02), Point("A", 2, "uniform", TimingMode.Graph, 100, 0.2), Point("A", 4, "uniform", TimingMode.Graph, 100, 0.02));
        var current = Run(H100, Point("A", 1, "uniform", TimingMode.Graph, 110, 0.02), Point("A", 2, "uniform", TimingMode.Graph, 110, 0.02), Point("A", 4, "uniform", TimingMode.Graph, 100, 0.02));

        var comparison = BenchComparer.Compare(previous, current, "old/bench.json");

        Assert.Equal([false, true, true], comparison.Points.Select(p => p.WithinNoise));
        Assert.Equal(0.05, comparison.Points[0].Tolerance, 12);
        Assert.Equal(0.23, comparison.Points[1].Tolerance, 12);
        Assert.Equal(1, comparison.Outside);
        Assert.Equal(1.1, comparison.MedianRatio!.Value, 12);
        Assert.False(comparison.WithinNoise); // the median ratio shifted by 10%
        Assert.Contains("NOT within noise: 3 points in both, median new/old 1.100×, 1 outside noise (33.3%)", comparison.Verdict, StringComparison.Ordinal);
    }

    [Fact]
    public void Identical_runs_agree()
    {
        var run = Run(H100, Point("A", 1, "uniform", TimingMode.Graph, 100), Point("A", 2, "uniform", TimingMode.Eager, 180));

        var comparison = BenchComparer.Compare(run, run, "old/bench.json");

        Assert.True(comparison.WithinNoise);
        Assert.Equal(0, comparison.Outside);
        Assert.Contains("within noise: 2 points in both, median new/old 1.000×", comparison.Verdict, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_on_another_gpu_is_refused_naming_both()
    {
        var point = Point("A", 1, "uniform", TimingMode.Graph, 100);

        var comparison = BenchComparer.Compare(Run("NVIDIA H200", point), Run(H100, point), "old/bench.json");

        Assert.Empty(comparison.Points);
        Assert.Null(comparison.WithinNoise);
        Assert.Equal($"the previous run was on NVIDIA H200, this one on {H100}; timings of different GPUs are not compared", comparison.Refused);
        Assert.Contains("refused", comparison.Verdict, StringComparison.Ordinal);
    }

    [Fact]
    public void Runs_with_nothing_in_common_say_so()
    {
        var comparison = BenchComparer.Compare(Run(H100, Point("A", 1, "uniform", TimingMode.Graph, 100)), Run(H100, Point("B", 1, "uniform", TimingMode.Graph, 100)), "old/bench.json");

        Assert.Null(comparison.MedianRatio);
        Assert.Null(comparison.WithinNoise);
        Assert.Contains("no point was measured in both runs (1 only in the previous run, 1 only in this one)", comparison.Verdict, StringComparison.Ordinal);
    }

    private static ComparableRun Run(string device, params ComparablePoint[] points) =>
        new(device, new DateTimeOffset(2026, 11, 27, 19, 42, 0, TimeSpan.Zero), "moetune bench", points);

    private static PointKey Key(string backend, int tokens, string routing, TimingMode mode) => new(Shape, backend, tokens, routing, mode);

    /// <summary>A point with median <paramref name="median"/> and quartiles <paramref name="relativeIqr"/> × median apart, centred on it.</summary>
    private static ComparablePoint Point(string backend, int tokens, string routing, TimingMode mode, double median, double relativeIqr = 0.01) =>
        new("qwen3-30b-a3b nvfp4", Key(backend, tokens, routing, mode), median, median * (1 - (relativeIqr / 2)), median * (1 + (relativeIqr / 2)));
}
