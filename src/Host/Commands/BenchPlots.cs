using MoeTune.Engine.Bench.Report;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace MoeTune.Host.Commands;

/// <summary>
/// One PNG per problem (issue 7): time against T on log-log axes, one line per measured backend and the roofline floor
/// as a dashed line, all for the first routing requested and in the mode the tuner times each T in. ScottPlot has no
/// log axis of its own: values are plotted as log10 and the ticks label them back in µs and tokens.
/// </summary>
internal static class BenchPlots
{
    private const int Width = 960;
    private const int Height = 600;

    /// <summary>
    /// Writes every problem's plot into <paramref name="directory"/> in the shipped font (<see cref="BenchFont"/>; why it
    /// cannot be used goes to <paramref name="warnings"/>); returns problem label → file name for the Markdown page.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Write(BenchReport report, string directory, TextWriter warnings)
    {
        ArgumentNullException.ThrowIfNull(warnings);
        if (BenchFont.Use() is { } fontProblem)
        {
            warnings.WriteLine($"warning: {fontProblem}");
        }

        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var problem in report.Problems)
        {
            if (Render(report, problem) is { } plot)
            {
                var file = problem.FileStem + ".png";
                plot.SavePng(Path.Combine(directory, file), Width, Height);
                files[problem.Label] = file;
            }
        }

        return files;
    }

    /// <summary>The plot of one problem, or null where it has nothing to draw (no backend measured, no floor).</summary>
    private static Plot? Render(BenchReport report, BenchProblem problem)
    {
        var routing = report.Regret.FirstOrDefault(r => r.Problem == problem.Label)?.Routing;
        if (routing is null)
        {
            return null;
        }

        var rows = report.Regret.Where(r => r.Problem == problem.Label && r.Routing == routing).OrderBy(r => r.Tokens).ToList();
        var plot = new Plot();
        var drawn = 0;
        foreach (var backend in rows.SelectMany(r => r.Backends).Select(b => b.Backend).Distinct())
        {
            var points = rows
                .Select(r => (r.Tokens, Time: r.Backends.First(b => b.Backend == backend).Microseconds))
                .Where(p => p.Time is > 0)
                .ToList();
            drawn += Line(plot, backend, points.Select(p => (p.Tokens, p.Time!.Value)).ToList(), dashed: false);
        }

        var floors = rows.Where(r => r.FloorMicroseconds is > 0).Select(r => (r.Tokens, r.FloorMicroseconds!.Value)).ToList();
        drawn += Line(plot, "roofline floor", floors, dashed: true);
        if (drawn == 0)
        {
            return null;
        }

        plot.Title($"{problem.Label} on {report.Environment.Device.Name}: {routing} routing, the tuner's timing mode");
        plot.XLabel("tokens T (log scale)");
        plot.YLabel("µs per forward (log scale)");
        plot.Axes.Bottom.TickGenerator = LogTicks(v => Math.Pow(10, v).ToString("0", System.Globalization.CultureInfo.InvariantCulture));
        plot.Axes.Left.TickGenerator = LogTicks(v => AxisMicroseconds(Math.Pow(10, v)));
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    private static int Line(Plot plot, string label, List<(int Tokens, double Microseconds)> points, bool dashed)
    {
        if (points.Count == 0)
        {
            return 0;
        }

        var line = plot.Add.Scatter(
            points.Select(p => Math.Log10(p.Tokens)).ToArray(),
            points.Select(p => Math.Log10(p.Microseconds)).ToArray());
        line.LegendText = label;
        line.LineWidth = 2;
        if (dashed)
        {
            line.LinePattern = LinePattern.Dashed;
            line.Color = Colors.Black;
            line.MarkerSize = 0;
        }

        return 1;
    }

    private static NumericAutomatic LogTicks(Func<double, string> label) => new()
    {
        MinorTickGenerator = new LogMinorTickGenerator(),
        IntegerTicksOnly = true,
        LabelFormatter = label,
    };

    private static string AxisMicroseconds(double microseconds) =>
        microseconds.ToString(microseconds >= 1 ? "0" : "0.###", System.Globalization.CultureInfo.InvariantCulture);
}
