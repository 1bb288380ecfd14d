using System.Globalization;

namespace MoeTune.Tuning;

/// <summary>
/// Robust summary of a list of timings: order statistics rather than a mean, so that one descheduled sample or a
/// clock-boost burst moves nothing. Quantiles interpolate linearly between order statistics (Hyndman–Fan type 7,
/// the default of NumPy and R), so [1, 2, 3, 4, 5] has quartiles 2 and 4.
/// </summary>
public sealed record SampleStatistics
{
    /// <summary>
    /// Standard error of a sample median, in units of σ/√n, for normally distributed samples (√(π/2)).
    /// </summary>
    private const double MedianStandardErrorFactor = 1.2533141373155003;

    /// <summary>Scales a median absolute deviation to a standard deviation for normally distributed samples.</summary>
    private const double MadToSigma = 1.482602218505602;

    private SampleStatistics()
    {
    }

    public int Count { get; private init; }

    public double Median { get; private init; }

    public double Min { get; private init; }

    public double Max { get; private init; }

    /// <summary>The 25th percentile.</summary>
    public double LowerQuartile { get; private init; }

    /// <summary>The 75th percentile.</summary>
    public double UpperQuartile { get; private init; }

    /// <summary>Interquartile range: the middle half's width.</summary>
    public double InterquartileRange => UpperQuartile - LowerQuartile;

    /// <summary>Median of the absolute deviations from the median (not scaled to σ).</summary>
    public double MedianAbsoluteDeviation { get; private init; }

    /// <summary>The noise of the samples themselves: <see cref="InterquartileRange"/> over <see cref="Median"/>. More samples do not shrink it.</summary>
    public double RelativeSpread => Relative(InterquartileRange);

    /// <summary>
    /// How precisely the median is known: its estimated standard error (√(π/2) · 1.4826 · MAD / √n) over the median.
    /// Unlike <see cref="RelativeSpread"/> it shrinks as samples accumulate, so a stop rule on it ends even for a noisy
    /// kernel. Zero when every sample is equal.
    /// </summary>
    public double RelativeMedianError => Relative(MedianStandardErrorFactor * MadToSigma * MedianAbsoluteDeviation / Math.Sqrt(Count));

    /// <summary>Summarises <paramref name="samples"/>: at least one, each finite and not negative.</summary>
    public static SampleStatistics Of(IReadOnlyList<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            throw new ArgumentException("statistics need at least one sample", nameof(samples));
        }

        for (var i = 0; i < samples.Count; i++)
        {
            if (!double.IsFinite(samples[i]) || samples[i] < 0)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"sample {i} is {samples[i]}; timings must be finite and not negative"),
                    nameof(samples));
            }
        }

        var sorted = samples.Order().ToArray();
        var median = Quantile(sorted, 0.5);
        var deviations = sorted.Select(s => Math.Abs(s - median)).Order().ToArray();
        return new SampleStatistics
        {
            Count = sorted.Length,
            Median = median,
            Min = sorted[0],
            Max = sorted[^1],
            LowerQuartile = Quantile(sorted, 0.25),
            UpperQuartile = Quantile(sorted, 0.75),
            MedianAbsoluteDeviation = Quantile(deviations, 0.5),
        };
    }

    /// <summary>The median of <paramref name="samples"/> alone.</summary>
    public static double MedianOf(IEnumerable<double> samples) => Quantile(samples.Order().ToArray(), 0.5);

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"median {Median:0.###} (IQR {LowerQuartile:0.###}–{UpperQuartile:0.###}, ±{Percent.Of(RelativeMedianError, 2)}), n={Count}");

    /// <summary>Type-7 quantile of an ascending array.</summary>
    private static double Quantile(double[] sorted, double p)
    {
        var position = p * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + ((position - below) * (sorted[above] - sorted[below]));
    }

    /// <summary>A width relative to the median; a zero width is exact whatever the median, any other width over a zero median is unbounded.</summary>
    private double Relative(double width) => width == 0 ? 0 : Median == 0 ? double.PositiveInfinity : width / Median;
}
