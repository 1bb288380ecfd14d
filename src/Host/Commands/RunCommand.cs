using System.CommandLine;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using MoeTune.Abstractions.Weights;
using MoeTune.Engine.Accuracy;
using MoeTune.Engine.Backends;
using MoeTune.Engine.Devices;
using MoeTune.Engine.Selection;
using MoeTune.Host.Cli;
using MoeTune.Host.Rendering;
using MoeTune.Host.Running;
using MoeTune.Reference.Layer;

namespace MoeTune.Host.Commands;

/// <summary>
/// <c>moetune run</c>: one forward of a model's MoE layer through the selected backend (synthetic or real weights,
/// synthetic or given inputs), checked against the CPU reference, with its time and a checksum of the output.
/// </summary>
internal sealed class RunCommand : ICliCommand
{
    public IReadOnlyList<string> Examples { get; } =
    [
        "moetune run --model qwen3-30b-a3b --format nvfp4 --tokens 64 --backend reference",
        "moetune run --model mixtral-8x7b --tokens 1",
        "moetune run --model ./Qwen3-30B-A3B --weights ./Qwen3-30B-A3B --layer 3 --input x.safetensors --output y.safetensors",
    ];

    public Command Build(CliContext context)
    {
        var selectionOptions = new SelectionOptions();
        var tokens = new Option<int?>("--tokens", "-t") { Description = "Tokens in the forward (T); taken from --input where given." };
        var seed = new Option<int>("--seed") { Description = "Seed of the synthetic inputs.", DefaultValueFactory = _ => 1 };
        var weights = new Option<string?>("--weights") { Description = "A checkpoint folder (safetensors) to take the experts from, instead of synthetic weights." };
        var layer = new Option<int?>("--layer") { Description = "The decoder layer whose experts --weights reads (default: the first MoE layer)." };
        var input = new Option<string?>("--input") { Description = "A safetensors file with hidden_states [T, H] and topk_ids/topk_weights [T, k] or router_logits [T, E]." };
        var output = new Option<string?>("--output") { Description = "Write the layer's output [T, H] bf16 to this safetensors file as 'output'." };
        var command = new Command("run", "Run one forward of a model's MoE layer, check it against the CPU reference, print its time and a checksum.")
        {
            tokens, seed, weights, layer, input, output,
        };
        selectionOptions.AddTo(command);

        CommandAction.Set(command, context, parse =>
        {
            var spec = selectionOptions.Model(parse);
            var inputPath = parse.GetValue(input);
            var tokenCount = parse.GetValue(tokens);
            if (inputPath is null && tokenCount is not > 0)
            {
                throw CliException.Usage("--tokens must be a positive count (or give --input)");
            }

            var inputs = inputPath is null ? LayerInputs.Synthetic(spec, tokenCount!.Value, parse.GetValue(seed)) : LayerInputs.Read(inputPath, spec);
            if (tokenCount is { } t && t != inputs.Tokens)
            {
                throw CliException.Usage($"--tokens {t} disagrees with {inputPath}, which holds {inputs.Tokens} tokens");
            }

            var loaded = new Lazy<(MoeWeights Weights, string Description)>(() => LayerWeights.Load(spec, parse.GetValue(weights), parse.GetValue(layer)));
            (string Backend, TimeSpan Elapsed, ushort[] Output) run;
            SelectionResult selection;
            string deviceText;
            using (var services = context.CreateServices(parse.GetValue(CommonOptions.Verbose)))
            {
                var catalog = services.GetRequiredService<BackendCatalog>();
                using var opened = services.GetRequiredService<DeviceCatalog>().Open(selectionOptions.Device(parse, services, context, spec));
                var request = selectionOptions.Request(parse, opened, spec, () => loaded.Value.Weights);
                selection = TuningProgressView.Run(context, progress => services.GetRequiredService<BackendSelector>().Select(request, progress));
                run = Forward(catalog, opened, selection, loaded.Value.Weights, inputs);
                deviceText = opened.Info.ToString();
            }

            // The services are disposed first, so that the log (on standard error) is flushed before the results.
            var expected = new ReferenceMoeLayer(loaded.Value.Weights).Forward(inputs.Hidden, inputs.TopKIds, inputs.TopKWeights, inputs.Tokens);
            var report = new RunReport(
                spec, loaded.Value.Description, inputs, deviceText, selection, run.Backend, run.Elapsed, run.Output, RelativeError.Frobenius(run.Output, expected));
            var outputPath = parse.GetValue(output);
            if (outputPath is not null)
            {
                report.SaveOutput(outputPath);
            }

            report.WriteTo(context.Output, outputPath);
            return report.Passed ? ExitCodes.Ok : ExitCodes.CorrectnessFailure;
        });
        return command;
    }

    /// <summary>Prepares the plan's backend for T tokens and runs one forward into a poisoned output.</summary>
    private static (string Backend, TimeSpan Elapsed, ushort[] Output) Forward(
        BackendCatalog catalog, IExecutionDevice device, SelectionResult selection, MoeWeights weights, LayerInputs inputs)
    {
        var name = selection.Plan.BackendFor(inputs.Tokens);
        var backend = catalog.Registry.Find(name)?.Backend ?? throw new InvalidOperationException($"the plan names {name}, which is not registered");
        using var layer = backend.Prepare(weights, device.PrepareContext(inputs.Tokens));
        using var tensors = device.AllocateTensors(weights.Shape, inputs.Tokens);
        tensors.Write(inputs.Hidden, inputs.TopKIds, inputs.TopKWeights);
        tensors.PoisonOutput();
        device.Synchronize();
        var start = Stopwatch.GetTimestamp();
        layer.Forward(tensors.Args(device.Stream));
        device.Synchronize();
        var elapsed = Stopwatch.GetElapsedTime(start);
        var output = new ushort[inputs.Hidden.Length];
        tensors.ReadOutput(output);
        return (name, elapsed, output);
    }
}
