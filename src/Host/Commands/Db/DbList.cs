using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using MoeTune.Host.Cli;
using MoeTune.Tuning;
using MoeTune.TuningDb;
using Spectre.Console;

namespace MoeTune.Host.Commands.Db;

/// <summary><c>moetune db list</c>: every stored decision, one row each.</summary>
internal static class DbList
{
    public static Command Build(CliContext context)
    {
        var command = new Command("list", "List every stored decision: GPU class, problem, objective, plan and provenance.");
        CommandAction.Set(command, context, parse =>
        {
            using var services = context.CreateServices(parse.GetValue(CommonOptions.Verbose));
            var store = services.GetRequiredService<TuningStore>();
            var labels = store.GetProblems().ToDictionary(p => p.Shape.Hash, p => p.Labels, StringComparer.Ordinal);
            var table = new Table().AddColumns("GPU class", "problem", "labels", "objective", "plan", "cost", "tuned", "by", "driver");
            foreach (var d in store.GetDecisions())
            {
                table.AddRow(
                    Markup.Escape(d.Gpu.Key),
                    Markup.Escape($"{d.Problem.Hash} {d.Problem.CanonicalText}"),
                    Markup.Escape(string.Join(", ", labels.GetValueOrDefault(d.Problem.Hash) ?? [])),
                    d.Objective.ToName(),
                    Markup.Escape(d.Plan.ToString()),
                    d.Cost.ToString("0.###", CultureInfo.InvariantCulture),
                    d.Provenance.At.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                    Markup.Escape($"MoeTune {d.Provenance.ToolVersion}{(d.Provenance.HostHash is { } h ? $" on host {h}" : "")}"),
                    Markup.Escape(d.Provenance.DriverVersion.Length > 0 ? d.Provenance.DriverVersion : "-"));
            }

            context.Console.Write(table);
            context.Output.WriteLine($"store: {store.Location}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
