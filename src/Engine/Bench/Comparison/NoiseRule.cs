using System.Globalization;

namespace MoeTune.Engine.Bench.Comparison;

/// <summary>
/// When two runs' timings of one point agree "within noise", decided from the runs' own samples rather than a fixed
/// guess. A run's noise at a point is its relative interquartile range (IQR over median: how much one sample varies
/// around the median). The tolerance is the larger of the two runs' plus <see cref="Floor"/>, which stands for the
/// run-to-run drift no single run's samples show (clocks, temperature, a fresh machine). The points agree when
/// new/old lies in [1/(1 + tolerance), 1 + tolerance]: symmetric in the ratio's logarithm, so swapping the runs gives
/// the same verdict. A whole comparison agrees when the median of its ratios is itself within <see cref="Floor"/> (no
/// overall shift) and at most <see cref="OutsideShareAllowed"/> of its points fall outside (a few of hundreds will by
/// chance alone).
/// </summary>
public static class NoiseRule
{
    /// <summary>Added to the larger relative IQR: run-to-run drift that one run's samples cannot show.</summary>
    public const double Floor = 0.03;

    /// <summary>The share of points that may fall outside their tolerance while the runs as a whole still agree.</summary>
    public const double OutsideShareAllowed = 0.05;

    /// <summary>The rule in one sentence, for the reports.</summary>
    public static string Description { get; } = string.Create(
        CultureInfo.InvariantCulture,
        $"a point agrees when new/old median lies within [1/(1+t), 1+t], t = max(the two runs' IQR/median) + {Floor:0%}; "
        + $"the runs agree when the median of all ratios is within the same {Floor:0%} and at most {OutsideShareAllowed:0%} of points fall outside");

    /// <summary>The relative tolerance of one point: the larger relative IQR plus <see cref="Floor"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A relative IQR is negative, NaN or infinite.</exception>
    public static double Tolerance(double previousRelativeIqr, double currentRelativeIqr)
    {
        RequireSpread(previousRelativeIqr, nameof(previousRelativeIqr));
        RequireSpread(currentRelativeIqr, nameof(currentRelativeIqr));
        return Math.Max(previousRelativeIqr, currentRelativeIqr) + Floor;
    }

    /// <summary>Whether <paramref name="ratio"/> (new over old) is within <paramref name="tolerance"/> either way.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The ratio is not finite and positive, or the tolerance is negative or not finite.</exception>
    public static bool WithinNoise(double ratio, double tolerance)
    {
        if (!double.IsFinite(ratio) || ratio <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "a ratio of medians must be finite and positive");
        }

        RequireSpread(tolerance, nameof(tolerance));
        return Math.Abs(Math.Log(ratio)) <= Math.Log(1 + tolerance);
    }

    /// <summary>Whether runs whose ratios have median <paramref name="medianRatio"/>, with <paramref name="outside"/> of <paramref name="points"/> outside their tolerance, agree.</summary>
    /// <exception cref="ArgumentOutOfRangeException">There are no points, or the counts are inconsistent.</exception>
    public static bool RunsAgree(double medianRatio, int outside, int points)
    {
        if (points <= 0 || outside < 0 || outside > points)
        {
            throw new ArgumentOutOfRangeException(nameof(outside), outside, $"need 0 ≤ outside ≤ points and points > 0; points = {points}");
        }

        return WithinNoise(medianRatio, Floor) && outside <= OutsideShareAllowed * points;
    }

    /// <summary>The relative IQR of a timing: (upper quartile − lower quartile) / median.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The median is not positive, or the quartiles are out of order.</exception>
    public static double RelativeIqr(double median, double lowerQuartile, double upperQuartile)
    {
        if (!double.IsFinite(median) || median <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(median), median, "a median must be finite and positive");
        }

        if (!double.IsFinite(lowerQuartile) || !double.IsFinite(upperQuartile) || upperQuartile < lowerQuartile)
        {
            throw new ArgumentOutOfRangeException(nameof(upperQuartile), upperQuartile, string.Create(CultureInfo.InvariantCulture, $"quartiles must be finite and ordered; lower = {lowerQuartile}"));
        }

        return (upperQuartile - lowerQuartile) / median;
    }

    private static void RequireSpread(double value, string name)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            throw new ArgumentOutOfRangeException(name, value, "a relative spread must be finite and not negative");
        }
    }
}
