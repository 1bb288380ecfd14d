using MoeTune.Tuning;

namespace MoeTune.Engine.Bench.Comparison;

/// <summary>
/// Compares a run with an earlier one: every point with the same <see cref="PointKey"/> (problem shape signature,
/// backend, T, routing, mode) in both, judged by <see cref="NoiseRule"/>. Runs on GPUs of different names are not
/// compared: their differences would be the cards', not the code's.
/// </summary>
public static class BenchComparer
{
    /// <param name="previous">The earlier run (where a key repeats in it, its first point counts).</param>
    /// <param name="current">This run.</param>
    /// <param name="previousFile">Where the earlier run was read from, for the reports.</param>
    public static BenchComparison Compare(ComparableRun previous, ComparableRun current, string previousFile)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentException.ThrowIfNullOrWhiteSpace(previousFile);
        var comparison = new BenchComparison(
            previousFile, previous.Device, previous.StartedAt, previous.CommandLine, NoiseRule.Description, null, [], 0, 0, null, 0, null);
        if (!string.Equals(previous.Device, current.Device, StringComparison.Ordinal))
        {
            return comparison with { Refused = $"the previous run was on {previous.Device}, this one on {current.Device}; timings of different GPUs are not compared" };
        }

        var earlier = new Dictionary<PointKey, ComparablePoint>();
        foreach (var point in previous.Points)
        {
            earlier.TryAdd(point.Key, point);
        }

        var matched = new List<PointComparison>();
        var seen = new HashSet<PointKey>();
        foreach (var now in current.Points.Where(p => seen.Add(p.Key)))
        {
            if (earlier.TryGetValue(now.Key, out var then))
            {
                matched.Add(Judge(then, now));
            }
        }

        var median = matched.Count == 0 ? (double?)null : SampleStatistics.MedianOf(matched.Select(m => m.Ratio));
        var outside = matched.Count(m => !m.WithinNoise);
        return comparison with
        {
            Points = matched,
            OnlyInPrevious = earlier.Count - matched.Count,
            OnlyInCurrent = seen.Count - matched.Count,
            MedianRatio = median,
            Outside = outside,
            WithinNoise = median is { } m ? NoiseRule.RunsAgree(m, outside, matched.Count) : null,
        };
    }

    private static PointComparison Judge(ComparablePoint previous, ComparablePoint current)
    {
        var ratio = current.Median / previous.Median;
        var tolerance = NoiseRule.Tolerance(previous.RelativeIqr, current.RelativeIqr);
        return new PointComparison(
            current.Problem, current.Key, previous.Median, current.Median, ratio, previous.RelativeIqr, current.RelativeIqr, tolerance, NoiseRule.WithinNoise(ratio, tolerance));
    }
}
