using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using MoeTune.Engine.Selection;
using MoeTune.Host.Cli;
using MoeTune.Host.Rendering;
using MoeTune.Tuning;
using MoeTune.TuningDb;

namespace MoeTune.Host.Commands.Db;

/// <summary><c>moetune db show</c>: the matching decisions in full, each with every stored measurement behind it.</summary>
internal static class DbShow
{
    public static Command Build(CliContext context)
    {
        var filter = new DbFilter();
        var command = new Command("show", "Show stored decisions in full with the measurements behind them (exit 5 when none match).");
        filter.AddTo(command);
        CommandAction.Set(command, context, parse =>
        {
            var (problem, gpu, objective) = filter.Read(parse);
            using var services = context.CreateServices(parse.GetValue(CommonOptions.Verbose));
            var store = services.GetRequiredService<TuningStore>();
            var decisions = store.GetDecisions().Where(d => DbFilter.Matches(d, problem, gpu, objective)).ToList();
            if (decisions.Count == 0)
            {
                context.Error.WriteLine($"error: no stored decision matches (store: {store.Location})");
                return ExitCodes.NotFound;
            }

            var c = CultureInfo.InvariantCulture;
            foreach (var d in decisions)
            {
                context.Output.WriteLine($"decision:  {d.Plan} for {d.Objective.ToName()} (cost {d.Cost.ToString("0.###", c)})");
                context.Output.WriteLine($"problem:   {d.Problem.CanonicalText} (signature {d.Problem.Hash})");
                context.Output.WriteLine($"GPU class: {d.Gpu.Key}");
                context.Output.WriteLine(string.Create(c, $"tuned:     {d.Provenance.At:yyyy-MM-dd HH:mm:ss} UTC by MoeTune {d.Provenance.ToolVersion} on {d.Provenance.GpuName}, driver {(d.Provenance.DriverVersion.Length > 0 ? d.Provenance.DriverVersion : "none")}"));
                context.Output.WriteLine($"plugins:   {string.Join("; ", d.Plugins)}");
                if (d.RunnerUp is { } runnerUp && d.MarginOverRunnerUp is { } margin)
                {
                    context.Output.WriteLine(string.Create(c, $"runner-up: {runnerUp} ({margin:+0.0%;-0.0%} cost)"));
                }

                var measurements = store.GetAllMeasurements(d.Gpu.Key, d.Problem);
                var buckets = measurements.SelectMany(m => m.Buckets.Select(b => b.Tokens)).Distinct().Order().ToList();
                var rows = measurements
                    .Select(m => (CandidateStatus.From(m), (CandidateMeasurement?)m, (IReadOnlyList<string>)[m.Plugin.Version, m.MeasuredAt.ToString("yyyy-MM-dd HH:mm", c)]))
                    .ToList();
                context.Console.Write(CandidateTable.Build(rows, buckets, ["version", "measured"]));
                context.Output.WriteLine();
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
