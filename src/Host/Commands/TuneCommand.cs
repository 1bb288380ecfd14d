using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using MoeTune.Engine.Autotuning;
using MoeTune.Engine.Devices;
using MoeTune.Engine.Backends;
using MoeTune.Host.Cli;
using MoeTune.Host.Rendering;
using MoeTune.Host.Running;
using MoeTune.Models;
using MoeTune.Tuning;
using MoeTune.TuningDb;
using Spectre.Console;

namespace MoeTune.Host.Commands;

/// <summary>
/// <c>moetune tune</c>: measures every backend on this device for a model (correctness gate, then timings per token
/// bucket), chooses a plan for the objective and stores measurements and decision. Valid stored measurements are
/// reused unless <c>--force</c>.
/// </summary>
internal sealed class TuneCommand : ICliCommand
{
    public IReadOnlyList<string> Examples { get; } =
    [
        "moetune tune --model qwen3-30b-a3b --format nvfp4",
        "moetune tune --model deepseek-v3 --tokens 1,8,64,512,4096 --objective throughput --budget 20 --force",
    ];

    public Command Build(CliContext context)
    {
        var model = CommonOptions.Model();
        var format = CommonOptions.Format();
        var device = CommonOptions.Device();
        var objective = CommonOptions.Objective();
        var tokens = CommonOptions.Buckets("Token buckets to time, comma-separated powers of two (default: all 1..16384 on a GPU, 1..64 on the CPU).");
        var budget = new Option<double>("--budget")
        {
            Description = "Seconds each candidate may spend on all its buckets.",
            DefaultValueFactory = _ => MeasurementPolicy.Default.CandidateBudget.TotalSeconds,
        };
        var force = new Option<bool>("--force") { Description = "Measure every candidate again, ignoring stored measurements." };
        var hybrid = new Option<bool>("--hybrid") { Description = "Allow per-bucket plans (one weight copy per backend)." };
        var isolation = new Option<CandidateIsolation>("--isolation")
        {
            Description = "Which candidates are measured in a child process, so that a crash or a hang fails only that candidate: "
                + "cuda-plugins (default), all-plugins, or none (every candidate in this process).",
            HelpName = string.Join('|', CandidateIsolations.Names.Select(n => n.Name)),
            DefaultValueFactory = _ => CandidateIsolation.CudaPlugins,
            CustomParser = result =>
            {
                var text = result.Tokens.Single().Value;
                if (CandidateIsolations.TryParse(text, out var value))
                {
                    return value;
                }

                result.AddError($"unknown isolation '{text}'; valid: {string.Join(", ", CandidateIsolations.Names.Select(n => n.Name))}");
                return default;
            },
        };
        var probeTimeout = new Option<double?>("--probe-timeout")
        {
            Description = string.Create(CultureInfo.InvariantCulture,
                $"Seconds a candidate's child process may run before it is killed and the candidate fails (default: --budget + {TuningDefaults.ProbeAllowance.TotalSeconds:0})."),
        };
        var weights = new Option<string?>("--weights") { Description = "Tune on a checkpoint layer's experts instead of synthetic weights." };
        var layer = new Option<int?>("--layer") { Description = "The decoder layer --weights reads (default: the first MoE layer)." };
        var command = new Command("tune", "Measure every backend that can run a model on this device, choose a plan, and store it.")
        {
            model, format, device, tokens, objective, budget, force, hybrid, isolation, probeTimeout, weights, layer,
        };
        CommandAction.Set(command, context, parse =>
        {
            var spec = ModelArgument.Resolve(parse.GetRequiredValue(model), parse.GetValue(format));
            var settings = new TuneSettings
            {
                Objective = parse.GetValue(objective),
                Buckets = parse.GetValue(tokens),
                Policy = MeasurementPolicy.Default with { CandidateBudget = PositiveSeconds("--budget", parse.GetValue(budget)) },
                AllowHybrid = parse.GetValue(hybrid),
                Force = parse.GetValue(force),
                Isolation = parse.GetValue(isolation),
                ProbeTimeout = parse.GetValue(probeTimeout) is { } limit ? PositiveSeconds("--probe-timeout", limit) : null,
            };
            var (layerWeights, weightsText) = LayerWeights.Load(spec, parse.GetValue(weights), parse.GetValue(layer));
            TuneResult result;
            string location;
            string deviceText;
            using (var services = context.CreateServices(parse.GetValue(CommonOptions.Verbose)))
            {
                var devices = services.GetRequiredService<DeviceCatalog>();
                var deviceInfo = DeviceChoice.Resolve(
                    devices, services.GetRequiredService<BackendCatalog>(), parse.GetValue(device), backendOption: null, context.Environment, spec.Shape.Format);
                using var opened = devices.Open(deviceInfo);
                deviceText = opened.Info.ToString();
                var tuner = services.GetRequiredService<Autotuner>();
                result = TuningProgressView.Run(context, progress => tuner.Tune(new TuneRequest(opened, layerWeights, settings, spec.Name), progress));
                location = services.GetRequiredService<TuningStore>().Location;
            }

            Print(context, spec, weightsText, deviceText, result, location);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>A positive number of seconds, at most about 30 years (beyond that TimeSpan overflows; nobody means it).</summary>
    private static TimeSpan PositiveSeconds(string option, double seconds) =>
        seconds is > 0 and <= 1e9
            ? TimeSpan.FromSeconds(seconds)
            : throw CliException.Usage($"{option} must be a positive number of seconds, got {seconds.ToString(CultureInfo.InvariantCulture)}");

    private static void Print(CliContext context, ModelSpec spec, string weightsText, string deviceText, TuneResult result, string location)
    {
        var measured = result.Measurements.ToDictionary(m => m.Plugin.Backend, StringComparer.Ordinal);
        var buckets = result.Measurements.SelectMany(m => m.Buckets.Select(b => b.Tokens)).Distinct().Order().ToList();
        var rows = result.Statuses.Select(s => (s, measured.GetValueOrDefault(s.Name), (IReadOnlyList<string>)[])).ToList();
        context.Output.WriteLine($"model:     {spec.Name} ({spec.Shape.CanonicalText}, signature {spec.Shape.Hash})");
        context.Output.WriteLine($"weights:   {weightsText}");
        context.Output.WriteLine($"device:    {deviceText} (GPU class {result.Decision.Gpu.Key})");
        context.Console.Write(CandidateTable.Build(rows, buckets, []));
        var choice = result.Choice;
        context.Output.WriteLine($"plan:      {choice.Plan} ({choice.Objective.ToName()}: {choice.Reason})");
        if (choice.RunnerUp is { } runnerUp && choice.MarginOverRunnerUp is { } margin)
        {
            context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"runner-up: {runnerUp.Plan} ({margin:+0.0%;-0.0%} cost)"));
        }

        if (choice.ExtraBytes > 0)
        {
            context.Output.WriteLine($"hybrid:    {CandidateTable.Mebibytes(choice.ExtraBytes)} more device memory than its main backend alone");
        }

        if (result.Reused.Count > 0)
        {
            context.Output.WriteLine($"reused:    {string.Join(", ", result.Reused)} (stored measurements still valid; --force measures again)");
        }

        context.Output.WriteLine($"stored in: {location}");
    }
}
