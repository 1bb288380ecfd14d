using System.Globalization;

namespace MoeTune.Engine.Bench.Comparison;

/// <summary>One point both runs measured: the two medians (µs), new over old, each run's relative IQR, the tolerance <see cref="NoiseRule"/> derives from them, and its verdict.</summary>
public sealed record PointComparison(
    string Problem,
    PointKey Key,
    double PreviousMedian,
    double CurrentMedian,
    double Ratio,
    double PreviousRelativeIqr,
    double CurrentRelativeIqr,
    double Tolerance,
    bool WithinNoise);

/// <summary>
/// This run against an earlier one (<c>bench --compare</c>): which run, the rule, every point present in both, how many
/// were in one run only, the median ratio, how many points fall outside noise and whether the runs agree as a whole.
/// <see cref="Refused"/> says why nothing was compared (a different GPU); the counts are then zero.
/// </summary>
public sealed record BenchComparison(
    string PreviousFile,
    string PreviousDevice,
    DateTimeOffset PreviousStartedAt,
    string PreviousCommandLine,
    string Rule,
    string? Refused,
    IReadOnlyList<PointComparison> Points,
    int OnlyInPrevious,
    int OnlyInCurrent,
    double? MedianRatio,
    int Outside,
    bool? WithinNoise)
{
    /// <summary>The comparison in one line: refused and why, nothing in common, or the counts, median ratio and verdict.</summary>
    public string Verdict
    {
        get
        {
            var c = CultureInfo.InvariantCulture;
            var against = $"against {PreviousFile} ({PreviousStartedAt.ToString("u", c)})";
            if (Refused is not null)
            {
                return $"comparison {against} refused: {Refused}";
            }

            var unmatched = string.Create(c, $"{OnlyInPrevious} only in the previous run, {OnlyInCurrent} only in this one");
            if (MedianRatio is not { } median)
            {
                return $"comparison {against}: no point was measured in both runs ({unmatched})";
            }

            return string.Create(c,
                $"comparison {against}: {(WithinNoise == true ? "within noise" : "NOT within noise")}: {Points.Count} points in both, "
                + $"median new/old {median:0.000}×, {Outside} outside noise ({(double)Outside / Points.Count:0.0%}); {unmatched}");
        }
    }
}
