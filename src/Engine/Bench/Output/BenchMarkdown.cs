using System.Globalization;
using System.Text;
using MoeTune.Engine.Bench.Ceilings;
using MoeTune.Engine.Bench.Comparison;
using MoeTune.Engine.Bench.Report;
using MoeTune.Tuning;

namespace MoeTune.Engine.Bench.Output;

/// <summary>
/// The report as a Markdown page: where and how it ran, the ceilings, one table per problem (every backend's status,
/// then every timing against its floor), and the regret table. docs/benchmarks/README.md explains each column.
/// </summary>
public static class BenchMarkdown
{
    public const string FileName = "bench.md";

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Writes <see cref="FileName"/> in <paramref name="directory"/>, linking the plots named in <paramref name="plots"/> (problem label → file name); returns its path.</summary>
    public static string Write(BenchReport report, string directory, IReadOnlyDictionary<string, string> plots)
    {
        var path = Path.Combine(directory, FileName);
        File.WriteAllText(path, Render(report, plots));
        return path;
    }

    public static string Render(BenchReport report, IReadOnlyDictionary<string, string> plots)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(plots);
        var md = new StringBuilder();
        Header(md, report);
        CeilingTable(md, report.Ceilings);
        foreach (var problem in report.Problems)
        {
            Problem(md, problem, plots.GetValueOrDefault(problem.Label));
        }

        Regret(md, report);
        if (report.Comparison is { } comparison)
        {
            Compare(md, comparison);
        }

        if (report.Notes.Count > 0 || report.Aborted is not null)
        {
            md.AppendLine("## Notes").AppendLine();
            if (report.Aborted is { } aborted)
            {
                md.Append("- **The run stopped using the GPU:** ").AppendLine(Cell(aborted));
            }

            foreach (var note in report.Notes)
            {
                md.Append("- ").AppendLine(Cell(note));
            }

            md.AppendLine();
        }

        return md.ToString();
    }

    private static void Header(StringBuilder md, BenchReport report)
    {
        var env = report.Environment;
        md.Append(C, $"# MoeTune bench on {env.Device.Name}").AppendLine().AppendLine();
        md.Append("Command: `").Append(env.CommandLine).AppendLine("`").AppendLine();
        Row(md, "setting", "value");
        Separator(md, 2);
        Row(md, "device", env.Device.ToString());
        Row(md, "driver", env.Driver);
        Row(md, "NVRTC", env.Nvrtc);
        Row(md, "cuBLASLt", env.CublasLt);
        Row(md, "MoeTune", env.ToolVersion);
        Row(md, "backends", string.Join(", ", env.Backends.Select(b => $"{b.Name} {b.Version} ({b.Source})")));
        if (env.PluginFailures.Count > 0)
        {
            Row(md, "plugins not loaded", string.Join("; ", env.PluginFailures));
        }

        Row(md, "machine", $"{env.OperatingSystem}, {env.Runtime}, {env.LogicalProcessors} logical CPUs");
        Row(md, "started", env.StartedAt.ToString("u", C));
        Row(md, "run time", string.Create(C, $"{report.Elapsed.TotalSeconds:0} s"));
        md.AppendLine();
    }

    private static void CeilingTable(StringBuilder md, HardwareCeilings ceilings)
    {
        md.AppendLine("## Ceilings (measured in this run)").AppendLine();
        Row(md, "ceiling", "value", "median µs per call", "method", "note");
        Separator(md, 5);
        foreach (var c in ceilings.All)
        {
            Row(md, BenchUnits.Label(c.Kind), BenchUnits.Rate(c), BenchUnits.Microseconds(c.Timing?.MedianMicroseconds), c.Method, c.Unavailable);
        }

        md.AppendLine();
    }

    private static void Problem(StringBuilder md, BenchProblem problem, string? plot)
    {
        md.Append("## ").AppendLine(problem.Label).AppendLine();
        md.Append('`').Append(problem.Shape).Append("` from ").AppendLine(problem.Source).AppendLine();
        if (problem.FloorNote.Length > 0)
        {
            md.Append("Floors: ").AppendLine(Cell(problem.FloorNote)).AppendLine();
        }

        if (plot is not null)
        {
            md.Append("![").Append(problem.Label).Append("](").Append(plot).AppendLine(")").AppendLine();
        }

        Row(md, "backend", "status", "weights", "workspace", "gate error", "detail");
        Separator(md, 6);
        foreach (var run in problem.Backends)
        {
            Row(md, run.Backend, run.Status.ToString(), BenchUnits.Gibibytes(run.WeightBytes), BenchUnits.Gibibytes(run.WorkspaceBytes),
                run.CorrectnessError is { } e ? e.ToString("0.0000", C) : BenchUnits.Missing, run.Detail);
        }

        md.AppendLine();
        var points = problem.Backends.SelectMany(b => b.Points.Select(p => (b.Backend, Point: p))).ToList();
        if (points.Count == 0)
        {
            return;
        }

        Row(md, "backend", "T", "routing", "mode", "median µs", "IQR µs", "samples", "TB/s", "TFLOP/s", "floor µs", "bound", "active experts", "efficiency");
        Separator(md, 13);
        foreach (var (backend, p) in points.OrderBy(x => x.Point.Tokens).ThenBy(x => x.Point.Routing, StringComparer.Ordinal).ThenBy(x => x.Point.Mode))
        {
            var floor = problem.FloorAt(p.Tokens, p.Routing);
            if (p.Status != PointStatus.Measured)
            {
                Row(md, backend, I(p.Tokens), p.Routing, p.Mode.ToName(), p.Status.ToString(), p.Detail, "", "", "", "", "", "", "");
                continue;
            }

            var t = p.Timing!;
            Row(md, backend, I(p.Tokens), p.Routing, p.Mode.ToName(), BenchUnits.Microseconds(t.MedianMicroseconds),
                $"{BenchUnits.Microseconds(t.LowerQuartileMicroseconds)}–{BenchUnits.Microseconds(t.UpperQuartileMicroseconds)}",
                I(t.SamplesMicroseconds.Count), BenchUnits.TerabytesPerSecond(p.AchievedBytesPerSecond), BenchUnits.Teraflops(p.AchievedFlopsPerSecond),
                BenchUnits.Microseconds(floor?.FloorMicroseconds), floor?.Bound.ToString() ?? BenchUnits.Missing,
                floor is null ? BenchUnits.Missing : floor.MeanActiveExperts.ToString("0.#", C), BenchUnits.Percent(p.Efficiency));
        }

        md.AppendLine();
    }

    private static void Regret(StringBuilder md, BenchReport report)
    {
        if (report.Regret.Count == 0)
        {
            return;
        }

        md.AppendLine("## Regret (time over the best of the bucket; the tuner's timing mode)").AppendLine();
        md.AppendLine("Two plans are chosen from this run's timings by the tuner's plan rules, both for the latency objective. "
            + "**Tuned plan**: what `moetune tune` chooses by default, one backend for every T (one copy of the weights). "
            + "**Hybrid plan**: what `moetune tune --hybrid` chooses, a backend per range of T where that beats the best single "
            + "backend by more than the " + PlanOptions.Default.TieMargin.ToString("0%", C) + " tie margin; **hybrid extra** is the device memory its other backends keep resident "
            + "(their weight copies and workspaces). Each plan column shows the plan's backend at that T; the plans follow the table.")
            .AppendLine();
        var backends = report.Regret.SelectMany(r => r.Backends.Select(b => b.Backend)).Distinct().ToList();
        Row(md, ["problem", "routing", "T", "mode", "best", "best µs", "floor µs", .. backends, "tuned plan", "tuned regret", "hybrid plan", "hybrid regret", "hybrid extra"]);
        Separator(md, 12 + backends.Count);
        foreach (var r in report.Regret)
        {
            var cells = backends.Select(name => r.Backends.FirstOrDefault(b => b.Backend == name) is { Microseconds: not null } e
                ? $"{BenchUnits.Microseconds(e.Microseconds)} ({BenchUnits.Ratio(e.Regret)})"
                : BenchUnits.Missing);
            Row(md, [r.Problem, r.Routing, I(r.Tokens), r.Mode.ToName(), r.Best ?? BenchUnits.Missing, BenchUnits.Microseconds(r.BestMicroseconds),
                BenchUnits.Microseconds(r.FloorMicroseconds), .. cells, r.Tuned.Backend ?? BenchUnits.Missing, BenchUnits.Ratio(r.Tuned.Regret),
                r.Hybrid.Backend ?? BenchUnits.Missing, BenchUnits.Ratio(r.Hybrid.Regret), BenchUnits.Gibibytes(r.Hybrid.ExtraBytes)]);
        }

        md.AppendLine();
        foreach (var plans in report.Regret.DistinctBy(r => (r.Problem, r.Routing)))
        {
            md.Append("- ").Append(plans.Problem).Append(", ").Append(plans.Routing).Append(": tuned plan ").Append(Cell(plans.Tuned.Plan))
                .Append("; hybrid plan ").Append(Cell(plans.Hybrid.Plan)).Append(" (+").Append(BenchUnits.Gibibytes(plans.Hybrid.ExtraBytes)).AppendLine(")");
        }

        md.AppendLine();
    }

    private static void Compare(StringBuilder md, BenchComparison comparison)
    {
        md.AppendLine("## Comparison with an earlier run").AppendLine();
        md.Append("Previous run: `").Append(comparison.PreviousFile).Append("`, on ").Append(comparison.PreviousDevice).Append(", started ")
            .Append(comparison.PreviousStartedAt.ToString("u", C)).Append(", command `").Append(comparison.PreviousCommandLine).AppendLine("`.").AppendLine();
        md.Append("Points are matched by GPU name, problem signature, backend, T, routing and mode. Rule: ").Append(comparison.Rule).AppendLine(".").AppendLine();
        md.Append("**").Append(Cell(comparison.Verdict)).AppendLine("**").AppendLine();
        if (comparison.Points.Count == 0)
        {
            return;
        }

        Row(md, "problem", "backend", "T", "routing", "mode", "previous µs", "this run µs", "new/old", "IQR/median prev · new", "tolerance", "verdict");
        Separator(md, 11);
        foreach (var p in comparison.Points)
        {
            Row(md, p.Problem, p.Key.Backend, I(p.Key.Tokens), p.Key.Routing, p.Key.Mode.ToName(), BenchUnits.Microseconds(p.PreviousMedian),
                BenchUnits.Microseconds(p.CurrentMedian), p.Ratio.ToString("0.000", C) + "×", $"{BenchUnits.Percent(p.PreviousRelativeIqr)} · {BenchUnits.Percent(p.CurrentRelativeIqr)}",
                "±" + BenchUnits.Percent(p.Tolerance), p.WithinNoise ? "within" : "**outside**");
        }

        md.AppendLine();
    }

    private static string I(int value) => value.ToString(C);

    private static void Row(StringBuilder md, params string[] cells) => md.Append("| ").AppendJoin(" | ", cells.Select(Cell)).AppendLine(" |");

    private static void Separator(StringBuilder md, int columns) => md.Append('|').AppendJoin("", Enumerable.Repeat("---|", columns)).AppendLine();

    /// <summary>Text safe inside a table cell: no pipes, no line breaks.</summary>
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
}
