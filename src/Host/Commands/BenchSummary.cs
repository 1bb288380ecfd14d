using System.Globalization;
using MoeTune.Engine.Bench;
using MoeTune.Engine.Bench.Comparison;
using MoeTune.Engine.Bench.Output;
using MoeTune.Engine.Bench.Report;

namespace MoeTune.Host.Commands;

/// <summary>
/// The short plain-text summary a bench run prints last (the lent GPU returns only the tail of the output): ceilings,
/// then per problem and T the best backend against the floor and the regret of the default and the hybrid tuned plans,
/// the hybrid plans with the memory they add, then anything that failed, then, where asked, the verdict of the comparison
/// with an earlier run and the points furthest outside noise.
/// </summary>
internal static class BenchSummary
{
    /// <summary>How many points outside noise the summary lists, furthest first.</summary>
    public const int OutsideListed = 10;

    public static void Print(TextWriter output, BenchReport report, string folder, int plots)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine();
        output.WriteLine($"bench on {report.Environment.Device} in {report.Elapsed.TotalSeconds.ToString("0", c)} s");
        foreach (var ceiling in report.Ceilings.All)
        {
            var value = ceiling.IsAvailable ? BenchUnits.Rate(ceiling) : $"unavailable ({Clip(ceiling.Unavailable, 160)})";
            output.WriteLine($"  {BenchUnits.Label(ceiling.Kind),-15} {value}  [{ceiling.Method}]");
        }

        var routing = report.Regret.Count > 0 ? report.Regret[0].Routing : null;
        output.WriteLine();
        output.WriteLine($"{"problem",-28} {"T",6} {"best",-18} {"µs",9} {"floor µs",9} {"eff.",6} {"tuned plan",-18} {"regret",7} {"hybrid plan",-18} {"regret",7}   ({routing} routing)");
        foreach (var row in report.Regret.Where(r => r.Routing == routing))
        {
            var efficiency = row.FloorMicroseconds / row.BestMicroseconds;
            output.WriteLine(string.Create(c,
                $"{Clip(row.Problem, 28),-28} {row.Tokens,6} {Clip(row.Best ?? "none", 18),-18} {BenchUnits.Microseconds(row.BestMicroseconds),9} {BenchUnits.Microseconds(row.FloorMicroseconds),9} {BenchUnits.Percent(efficiency),6} {Clip(row.Tuned.Backend ?? "none", 18),-18} {BenchUnits.Ratio(row.Tuned.Regret),7} {Clip(row.Hybrid.Backend ?? "none", 18),-18} {BenchUnits.Ratio(row.Hybrid.Regret),7}"));
        }

        output.WriteLine();
        output.WriteLine("plans (latency objective): tuned = moetune tune's default, one backend; hybrid = moetune tune --hybrid, extra memory beyond one backend");
        foreach (var row in report.Regret.Where(r => r.Routing == routing).DistinctBy(r => r.Problem))
        {
            output.WriteLine($"  {Clip(row.Problem, 28),-28} tuned {Clip(row.Tuned.Plan, 60)}; hybrid {Clip(row.Hybrid.Plan, 80)} (+{BenchUnits.Gibibytes(row.Hybrid.ExtraBytes)})");
        }

        var problems = report.Problems.SelectMany(p => p.Backends
            .Where(b => b.Status is not (BackendStatus.Measured or BackendStatus.Unsupported) || b.Points.Any(pt => pt.Status != PointStatus.Measured))
            .Select(b => $"  {p.Label} · {b.Backend}: {b.Status.ToString().ToLowerInvariant()} {Clip(b.Detail.Length > 0 ? b.Detail : FirstPointError(b), 160)}"))
            .ToList();
        if (problems.Count > 0 || report.Aborted is not null)
        {
            output.WriteLine();
            output.WriteLine("not measured as asked:");
            if (report.Aborted is { } aborted)
            {
                output.WriteLine($"  GPU unusable after {Clip(aborted, 200)}");
            }

            problems.Take(20).ToList().ForEach(output.WriteLine);
            if (problems.Count > 20)
            {
                output.WriteLine($"  … and {problems.Count - 20} more (see bench.md)");
            }
        }

        if (report.Comparison is { } comparison)
        {
            output.WriteLine();
            PrintComparison(output, comparison);
        }

        output.WriteLine();
        output.WriteLine($"wrote {Path.Combine(folder, BenchJson.FileName)}, {Path.Combine(folder, BenchMarkdown.FileName)} and {plots} plot(s)");
    }

    /// <summary>The comparison's one-line verdict, then the points furthest outside noise (at most <see cref="OutsideListed"/>).</summary>
    public static void PrintComparison(TextWriter output, BenchComparison comparison)
    {
        output.WriteLine(comparison.Verdict);
        var outside = comparison.Points.Where(p => !p.WithinNoise).OrderByDescending(p => Math.Abs(Math.Log(p.Ratio))).ToList();
        foreach (var p in outside.Take(OutsideListed))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  outside: {p.Problem} · {p.Key.Backend} · T={p.Key.Tokens} · {p.Key.Routing} · {p.Key.Mode.ToName()}: {BenchUnits.Microseconds(p.PreviousMedian)} → {BenchUnits.Microseconds(p.CurrentMedian)} µs ({p.Ratio:0.000}×, tolerance ±{BenchUnits.Percent(p.Tolerance)})"));
        }

        if (outside.Count > OutsideListed)
        {
            output.WriteLine($"  … and {outside.Count - OutsideListed} more outside noise (see bench.md)");
        }
    }

    private static string FirstPointError(BackendRun run) =>
        run.Points.FirstOrDefault(p => p.Status != PointStatus.Measured) is { } p
            ? string.Create(CultureInfo.InvariantCulture, $"at {p.Tokens} tokens ({p.Mode.ToName()}): {p.Detail}")
            : "";

    private static string Clip(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";
}
