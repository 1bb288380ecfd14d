using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using MoeTune.Engine;
using MoeTune.Engine.Devices;
using MoeTune.Engine.Selection;
using MoeTune.Host.Cli;
using MoeTune.Host.Rendering;
using MoeTune.Tuning;

namespace MoeTune.Host.Commands;

/// <summary>
/// <c>moetune explain</c>: what would run for a model on this device and why: each precedence level with its value,
/// the stored decision with its provenance and verdicts, and the full candidate table. Changes nothing.
/// </summary>
internal sealed class ExplainCommand : ICliCommand
{
    public IReadOnlyList<string> Examples { get; } =
    [
        "moetune explain --model qwen3-30b-a3b",
        "MOETUNE_BACKEND_NVFP4=marlin moetune explain --model mixtral-8x7b --format nvfp4",
    ];

    public Command Build(CliContext context)
    {
        var selection = new SelectionOptions();
        var command = new Command("explain", "Show which backend would run for a model here, from which precedence level, and every candidate's status.");
        selection.AddTo(command);
        CommandAction.Set(command, context, parse =>
        {
            var spec = selection.Model(parse);
            SelectionPreview preview;
            using (var services = context.CreateServices(parse.GetValue(CommonOptions.Verbose)))
            {
                using var opened = services.GetRequiredService<DeviceCatalog>().Open(selection.Device(parse, services, context, spec));
                var request = selection.Request(parse, opened, spec, () => throw new InvalidOperationException("explain never tunes"));
                preview = services.GetRequiredService<BackendSelector>().Preview(request);
                context.Output.WriteLine($"model:   {spec.Name} ({spec.Shape.CanonicalText}, signature {spec.Shape.Hash})");
                context.Output.WriteLine($"device:  {opened.Info}");
            }

            PrintLevels(context, preview);
            var exit = PrintOutcome(context, preview);
            PrintCandidates(context, preview);
            return exit;
        });
        return command;
    }

    private static void PrintLevels(CliContext context, SelectionPreview preview)
    {
        var inputs = preview.Inputs;
        var forced = SelectionPrecedence.Forced(inputs.CommandLineBackend, inputs.Environment, inputs.Format);
        context.Output.WriteLine("precedence (highest first):");
        Level(context, 1, "--backend", inputs.CommandLineBackend, forced?.Source == SelectionSource.CommandLine);
        var formatVariable = EnvironmentVariables.BackendFor(inputs.Format);
        Level(context, 2, formatVariable, inputs.Environment.Get(formatVariable), forced?.Source == SelectionSource.FormatEnvironment);
        Level(context, 2, EnvironmentVariables.Backend, inputs.Environment.Get(EnvironmentVariables.Backend), forced?.Source == SelectionSource.Environment);
        context.Output.WriteLine($"  3. stored decision: {DescribeStored(preview)}");
        context.Output.WriteLine($"  4. autotune: {(inputs.TuningEnabled ? "on" : "off (--no-tune)")}");
        context.Output.WriteLine($"  5. priority order: {string.Join(", ", inputs.Candidates.Select(c => c.Name))}");
    }

    private static void Level(CliContext context, int rank, string name, string? value, bool decides) =>
        context.Output.WriteLine($"  {rank}. {name}: {(value is null ? "(not set)" : value)}{(decides ? "  <- decides" : "")}");

    private static string DescribeStored(SelectionPreview preview)
    {
        if (preview.Stored is not { } stored)
        {
            return "none for this GPU class, problem and objective";
        }

        var d = stored.Decision;
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{d.Plan} ({d.Objective.ToName()}; tuned {d.Provenance.At:yyyy-MM-dd HH:mm} UTC by MoeTune {d.Provenance.ToolVersion} on {d.Provenance.GpuName}, driver {(d.Provenance.DriverVersion.Length > 0 ? d.Provenance.DriverVersion : "none")})");
        if (stored.StaleReason is { } stale)
        {
            text += $"; stale: {stale}";
        }

        if (stored.InvalidReason is { } invalid)
        {
            text += $"; invalid: {invalid}";
        }

        return text;
    }

    private static int PrintOutcome(CliContext context, SelectionPreview preview)
    {
        switch (preview.Outcome)
        {
            case SelectionOutcome.Chosen chosen:
                context.Output.WriteLine($"would run: {chosen.Plan} (source: {preview.SourceText})");
                break;
            case SelectionOutcome.Tune:
                context.Output.WriteLine($"would autotune {preview.Candidates.Count(c => c.Support.IsSupported)} supported candidate(s) on first use and store the result");
                break;
            case SelectionOutcome.Rejected rejected:
                context.Output.WriteLine($"would fail: {rejected.Message}");
                context.Error.WriteLine($"error: {rejected.Message}");
                break;
        }

        foreach (var note in preview.Outcome.Notes)
        {
            context.Output.WriteLine($"note: {note}");
        }

        return preview.Outcome is SelectionOutcome.Rejected ? ExitCodes.BackendUnavailable : ExitCodes.Ok;
    }

    private static void PrintCandidates(CliContext context, SelectionPreview preview)
    {
        var buckets = preview.Candidates.SelectMany(c => c.Measurement?.Buckets.Select(b => b.Tokens) ?? []).Distinct().Order().ToList();
        var rows = preview.Candidates
            .Select(c => (c.Status, c.Measurement, (IReadOnlyList<string>)[c.Backend.Backend.Version, c.Backend.Source]))
            .ToList();
        context.Console.Write(CandidateTable.Build(rows, buckets, ["version", "from"]));
    }
}
