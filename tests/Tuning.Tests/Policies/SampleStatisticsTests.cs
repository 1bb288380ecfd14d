using CsCheck;
using MoeTune.Tuning;

namespace MoeTune.Tuning.Tests.Policies;

public sealed class SampleStatisticsTests
{
    [Fact]
    public void Odd_count_has_textbook_quartiles_and_mad()
    {
        var s = SampleStatistics.Of([5, 1, 4, 2, 3]);

        Assert.Equal(5, s.Count);
        Assert.Equal(3, s.Median);
        Assert.Equal(1, s.Min);
        Assert.Equal(5, s.Max);
        Assert.Equal(2, s.LowerQuartile);
        Assert.Equal(4, s.UpperQuartile);
        Assert.Equal(2, s.InterquartileRange);
        Assert.Equal(1, s.MedianAbsoluteDeviation);
        Assert.Equal(2.0 / 3.0, s.RelativeSpread, 12);
    }

    [Fact]
    public void Even_count_interpolates_between_order_statistics()
    {
        var s = SampleStatistics.Of([4, 1, 3, 2]);

        Assert.Equal(2.5, s.Median);
        Assert.Equal(1.75, s.LowerQuartile);
        Assert.Equal(3.25, s.UpperQuartile);
        Assert.Equal(1.0, s.MedianAbsoluteDeviation);
    }

    [Fact]
    public void One_outlier_moves_neither_median_nor_mad()
    {
        var s = SampleStatistics.Of([10, 10, 10, 10, 1000]);

        Assert.Equal(10, s.Median);
        Assert.Equal(0, s.MedianAbsoluteDeviation);
        Assert.Equal(0, s.RelativeMedianError);
        Assert.Equal(1000, s.Max);
    }

    [Fact]
    public void Median_error_follows_the_normal_approximation_and_shrinks_with_count()
    {
        // MAD of [9, 10, 11] is 1: error = sqrt(pi/2) * 1.4826 * 1 / sqrt(3) / 10.
        var three = SampleStatistics.Of([9, 10, 11]);
        Assert.Equal(Math.Sqrt(Math.PI / 2) * 1.482602218505602 / Math.Sqrt(3) / 10, three.RelativeMedianError, 12);

        var twelve = SampleStatistics.Of([9, 10, 11, 9, 10, 11, 9, 10, 11, 9, 10, 11]);
        Assert.Equal(three.RelativeMedianError / 2, twelve.RelativeMedianError, 12);
    }

    [Fact]
    public void Zero_median_gives_unbounded_relative_measures_unless_there_is_no_spread()
    {
        Assert.Equal(0, SampleStatistics.Of([0, 0, 0]).RelativeSpread);
        Assert.Equal(double.PositiveInfinity, SampleStatistics.Of([0, 0, 0, 1, 1]).RelativeSpread);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(-1.0)]
    public void Rejects_impossible_timings_naming_the_sample(double bad)
    {
        var error = Assert.Throws<ArgumentException>(() => SampleStatistics.Of([1, 2, bad]));
        Assert.Contains("sample 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_an_empty_list() => Assert.Throws<ArgumentException>(() => SampleStatistics.Of([]));

    [Fact]
    public void Order_statistics_are_ordered_and_do_not_depend_on_sample_order() =>
        Gen.Double[0, 1e6].Array[1, 60].Sample(samples =>
        {
            var s = SampleStatistics.Of(samples);
            var reversed = SampleStatistics.Of(samples.Reverse().ToArray());
            return s.Min <= s.LowerQuartile && s.LowerQuartile <= s.Median && s.Median <= s.UpperQuartile
                && s.UpperQuartile <= s.Max && s.MedianAbsoluteDeviation >= 0 && s == reversed;
        });
}
