using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Engine.Backends;
using MoeTune.Engine.Devices;
using MoeTune.Host.Cli;
using MoeTune.Models;
using MoeTune.Models.Presets;
using Spectre.Console;

namespace MoeTune.Host.Commands;

/// <summary>
/// <c>moetune backends</c>: every registered backend (built-in and plugins) with its version and kernel hash, the plugin
/// folders that were skipped and why, and each backend's support on each device, with reasons.
/// </summary>
internal sealed class BackendsCommand : ICliCommand
{
    public IReadOnlyList<string> Examples { get; } = ["moetune backends", "moetune backends --model deepseek-v3 --format fp8"];

    public Command Build(CliContext context)
    {
        var model = CommonOptions.Model(required: false);
        var format = CommonOptions.Format();
        var command = new Command("backends", "List every backend and plugin, its version, and its support on each device (for --model, or for every preset).")
        {
            model, format,
        };
        CommandAction.Set(command, context, parse =>
        {
            var modelText = parse.GetValue(model);
            var problems = modelText is null
                ? ModelPresets.Names.Select(name => ModelArgument.Resolve(name, parse.GetValue(format))).ToList()
                : [ModelArgument.Resolve(modelText, parse.GetValue(format))];
            using var services = context.CreateServices(parse.GetValue(CommonOptions.Verbose));
            var catalog = services.GetRequiredService<BackendCatalog>();
            var devices = services.GetRequiredService<DeviceCatalog>();

            var list = new Table().AddColumns("backend", "aliases", "version", "kernel hash", "runs on", "from");
            foreach (var registered in catalog.InPriorityOrder)
            {
                var b = registered.Backend;
                // Kernel hashes are SHA-256 hex: 16 digits tell versions apart on screen; the store keeps them whole.
                list.AddRow(Escape(b.Name), Escape(string.Join(", ", b.Aliases)), Escape(b.Version), Escape(b.KernelSourceHash.Length > 16 ? b.KernelSourceHash[..16] + "…" : b.KernelSourceHash), b.DeviceKind.ToString(), Escape(registered.Source));
            }

            context.Console.Write(list);
            if (catalog.Failures.Count > 0)
            {
                var skipped = new Table().AddColumns("skipped plugin folder", "why");
                foreach (var failure in catalog.Failures)
                {
                    skipped.AddRow(Escape(failure.Location), Escape(failure.Reason));
                }

                context.Console.Write(skipped);
            }

            var title = problems.Count == 1 ? $"support for {problems[0].Name} ({problems[0].Shape.CanonicalText})" : $"support for the {problems.Count} presets";
            var support = new Table().Title(Escape(title)).AddColumn("backend");
            foreach (var device in devices.Devices)
            {
                support.AddColumn(Escape(DeviceLabel(device)));
            }

            foreach (var registered in catalog.InPriorityOrder)
            {
                support.AddRow([Escape(registered.Name), .. devices.Devices.Select(d => Escape(Describe(registered.Backend, d, problems)))]);
            }

            context.Console.Write(support);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string DeviceLabel(DeviceInfo device) => device.Kind == DeviceKind.Cuda ? $"cuda:{device.Ordinal} {device.Name}" : DeviceCatalog.Cpu;

    /// <summary>"yes", or "no: reason" for one problem; for several, how many are supported and why the others are not.</summary>
    private static string Describe(IMoeBackend backend, DeviceInfo device, IReadOnlyList<ModelSpec> problems)
    {
        var answers = problems.Select(p => (p.Name, Decision: Check(backend, device, p.Shape))).ToList();
        if (answers.Count == 1)
        {
            return answers[0].Decision.IsSupported ? "yes" : "no: " + answers[0].Decision.Reason;
        }

        var no = answers.Where(a => !a.Decision.IsSupported).ToList();
        var reasons = no.GroupBy(a => a.Decision.Reason).Select(g => $"{string.Join(", ", g.Select(a => a.Name))}: {g.Key}");
        return no.Count == 0 ? $"yes ({answers.Count}/{answers.Count})"
            : no.Count == answers.Count && reasons.Count() == 1 ? "no: " + no[0].Decision.Reason
            : $"{answers.Count - no.Count}/{answers.Count}; no for {string.Join("; ", reasons)}";
    }

    private static SupportDecision Check(IMoeBackend backend, DeviceInfo device, MoeShape problem)
    {
        try
        {
            return backend.CheckSupport(device, problem);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return SupportDecision.No($"support check threw {ex.GetType().Name}: {ex.Message}");
        }
    }

    private static string Escape(string text) => Markup.Escape(text);
}
