using MoeTune.Engine.Bench.Comparison;
using MoeTune.Tuning;

namespace MoeTune.Engine.Tests.Bench;

public sealed class NoiseRuleTests
{
    [Fact]
    public void Tolerance_is_the_larger_relative_iqr_plus_the_floor()
    {
        Assert.Equal(0.08, NoiseRule.Tolerance(0.05, 0.02), 12);
        Assert.Equal(0.08, NoiseRule.Tolerance(0.02, 0.05), 12);
        Assert.Equal(NoiseRule.Floor, NoiseRule.Tolerance(0, 0));
    }

    [Theory]
    [InlineData(1.00, 0.03, true)]
    [InlineData(1.029, 0.03, true)]
    [InlineData(1.031, 0.03, false)]
    [InlineData(1 / 1.029, 0.03, true)] // symmetric: 2.9% faster agrees like 2.9% slower
    [InlineData(1 / 1.031, 0.03, false)]
    [InlineData(1.10, 0.12, true)]
    [InlineData(0.5, 0.5, false)] // half the time is 2× off, beyond a 50% tolerance
    public void A_ratio_agrees_when_within_the_tolerance_either_way(double ratio, double tolerance, bool expected) =>
        Assert.Equal(expected, NoiseRule.WithinNoise(ratio, tolerance));

    [Fact]
    public void Noise_comes_from_the_samples_a_noisy_point_tolerates_what_a_steady_one_does_not()
    {
        // Synthetic samples around 100 µs: the steady run's IQR is 1%, the noisy one's 20%.
        double[] steady = [99.5, 99.6, 99.8, 100, 100.2, 100.4, 100.5];
        double[] noisy = [80, 85, 90, 100, 110, 115, 120];
        double[] slower = [.. steady.Select(s => s * 1.08)];

        var steadyTolerance = NoiseRule.Tolerance(Iqr(steady), Iqr(slower));
        var noisyTolerance = NoiseRule.Tolerance(Iqr(noisy), Iqr(slower));

        Assert.False(NoiseRule.WithinNoise(Median(slower) / Median(steady), steadyTolerance));
        Assert.True(NoiseRule.WithinNoise(Median(slower) / Median(noisy), noisyTolerance));
    }

    [Fact]
    public void Runs_agree_when_the_median_ratio_is_within_the_floor_and_few_points_are_outside()
    {
        Assert.True(NoiseRule.RunsAgree(1.01, 5, 100));
        Assert.False(NoiseRule.RunsAgree(1.01, 6, 100));
        Assert.False(NoiseRule.RunsAgree(1.05, 0, 100)); // every point within its own noise, yet all shifted by 5%
        Assert.True(NoiseRule.RunsAgree(0.975, 0, 1));
    }

    [Fact]
    public void Relative_iqr_is_the_quartile_gap_over_the_median() =>
        Assert.Equal(0.1, NoiseRule.RelativeIqr(200, 190, 210), 12);

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Impossible_ratios_are_errors(double ratio) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => NoiseRule.WithinNoise(ratio, 0.03));

    [Fact]
    public void Impossible_spreads_and_counts_are_errors()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NoiseRule.Tolerance(-0.1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => NoiseRule.Tolerance(0, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => NoiseRule.RelativeIqr(0, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => NoiseRule.RelativeIqr(100, 110, 90));
        Assert.Throws<ArgumentOutOfRangeException>(() => NoiseRule.RunsAgree(1, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => NoiseRule.RunsAgree(1, 3, 2));
    }

    private static double Median(double[] samples) => SampleStatistics.MedianOf(samples);

    private static double Iqr(double[] samples)
    {
        var s = SampleStatistics.Of(samples);
        return NoiseRule.RelativeIqr(s.Median, s.LowerQuartile, s.UpperQuartile);
    }
}
