using MoeTune.Engine.Bench.Report;

namespace MoeTune.Engine.Bench.Comparison;

/// <summary>A bench run reduced to what a comparison needs: the GPU's name, when and how it ran, and its measured timings.</summary>
public sealed record ComparableRun(string Device, DateTimeOffset StartedAt, string CommandLine, IReadOnlyList<ComparablePoint> Points)
{
    /// <summary>The measured points of <paramref name="report"/>, in report order; failed and skipped timings are left out.</summary>
    public static ComparableRun From(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var points = report.Problems
            .SelectMany(problem => problem.Backends.SelectMany(run => run.Points
                .Where(p => p.Status == PointStatus.Measured && p.Timing is not null)
                .Select(p => new ComparablePoint(
                    problem.Label,
                    new PointKey(problem.Shape, run.Backend, p.Tokens, p.Routing, p.Mode),
                    p.Timing!.MedianMicroseconds,
                    p.Timing.LowerQuartileMicroseconds,
                    p.Timing.UpperQuartileMicroseconds))))
            .ToList();
        var env = report.Environment;
        return new ComparableRun(env.Device.Name, env.StartedAt, env.CommandLine, points);
    }
}
