using System.CommandLine;
using System.Globalization;
using MoeTune.Abstractions.Problems;
using MoeTune.Host.Cli;
using MoeTune.Host.Rendering;
using MoeTune.Models.Presets;
using Spectre.Console;

namespace MoeTune.Host.Commands;

/// <summary><c>moetune presets</c>: the shipped model presets, their shapes and signature hashes (the tuning store's problem keys).</summary>
internal sealed class PresetsCommand : ICliCommand
{
    public IReadOnlyList<string> Examples { get; } = ["moetune presets"];

    public Command Build(CliContext context)
    {
        var command = new Command("presets", "List the model presets with their MoE shapes and signature hashes.");
        CommandAction.Set(command, context, _ =>
        {
            var table = new Table().AddColumns("preset", "family", "E", "top-k", "H", "I", "activation", "format", "routing", "signature");
            foreach (var preset in ModelPresets.All)
            {
                var s = preset.Shape;
                table.AddRow(
                    Markup.Escape(preset.Name),
                    Markup.Escape(preset.Family.Name),
                    Number(s.Experts),
                    Number(s.TopK),
                    Number(s.Hidden),
                    Number(s.Intermediate),
                    s.Activation.ToName(),
                    s.Format.ToName(),
                    Markup.Escape(RoutingText.Describe(preset.Routing)),
                    s.Hash);
            }

            context.Console.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
