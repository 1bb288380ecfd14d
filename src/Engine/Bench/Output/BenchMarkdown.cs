using System.Globalization;
using System.Text;
using MoeTune.Engine.Bench.Ceilings;
using MoeTune.Engine.Bench.Report;

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
        var backends = report.Regret.SelectMany(r => r.Backends.Select(b => b.Backend)).Distinct().ToList();
        Row(md, ["problem", "routing", "T", "mode", "best", "best µs", "floor µs", .. backends, "tuned plan", "plan regret"]);
        Separator(md, 9 + backends.Count);
        foreach (var r in report.Regret)
        {
            var cells = backends.Select(name => r.Backends.FirstOrDefault(b => b.Backend == name) is { Microseconds: not null } e
                ? $"{BenchUnits.Microseconds(e.Microseconds)} ({BenchUnits.Ratio(e.Regret)})"
                : BenchUnits.Missing);
            Row(md, [r.Problem, r.Routing, I(r.Tokens), r.Mode.ToName(), r.Best ?? BenchUnits.Missing, BenchUnits.Microseconds(r.BestMicroseconds),
                BenchUnits.Microseconds(r.FloorMicroseconds), .. cells, r.Plan, BenchUnits.Ratio(r.PlanRegret)]);
        }

        md.AppendLine();
    }

    private static string I(int value) => value.ToString(C);

    private static void Row(StringBuilder md, params string[] cells) => md.Append("| ").AppendJoin(" | ", cells.Select(Cell)).AppendLine(" |");

    private static void Separator(StringBuilder md, int columns) => md.Append('|').AppendJoin("", Enumerable.Repeat("---|", columns)).AppendLine();

    /// <summary>Text safe inside a table cell: no pipes, no line breaks.</summary>
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
}
