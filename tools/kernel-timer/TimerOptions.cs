using System.Globalization;
using MoeTune.Models;
using MoeTune.Models.Presets;
using MoeTune.Plugins.Marlin;
using MoeTune.Plugins.Marlin.Planning;

namespace MoeTune.Tools.KernelTimer;

/// <summary>
/// The harness's command line: <c>kernel-timer [--presets a,b] [--tokens 1,4,16] [--pipelines ring,bulk,overlap]
/// [--variant name:MACRO=VALUE,@setting=VALUE,...]... [--trace] [--routing model|uniform] [--samples 200] [--sets 8] [--seed 1]</c>. Without <c>--pipelines</c> each preset runs
/// the decode pipeline the backend picks for the GPU (<see cref="DecodePipelineChoice"/>); with it, each named pipeline in
/// turn on the same weights and inputs. Each <c>--variant</c> adds a build of the decode kernels with those macros (their
/// compile-time switches) and launch settings (<see cref="KernelVariant"/>: <c>@column-tiles</c>, <c>@ctas-per-sm</c>,
/// <c>@splits2</c>), timed beside the plain build, pipeline by pipeline, on the same weights and inputs.
/// <c>--trace</c> adds the traced build of the bulk-copy kernels (<see cref="DecodeTrace"/>) and prints its per-CTA timeline.
/// <c>--routing</c>: <c>model</c> (the default) routes random logits through the preset's own router; <c>uniform</c> draws
/// each token's experts as <c>moetune bench --routing uniform</c> does (distinct, uniformly at random), so that an A/B
/// here sees the groups the benchmark's figures come from.
/// </summary>
internal sealed record TimerOptions(
    IReadOnlyList<ModelSpec> Presets, IReadOnlyList<int> Tokens, IReadOnlyList<DecodePipeline?> Pipelines, IReadOnlyList<KernelVariant> Variants,
    int Samples, int Sets, int Seed, bool Trace, bool UniformRouting)
{
    public const string Usage = "kernel-timer [--presets name,name|all] [--tokens 1,2,4,8,16] [--pipelines ring,bulk,overlap] " +
                                "[--variant " + KernelVariant.Syntax + "]... [--trace] [--routing model|uniform] [--samples 200] [--sets 8] [--seed 1]";

    public static TimerOptions Parse(IReadOnlyList<string> args)
    {
        var presets = ModelPresets.All;
        IReadOnlyList<int> tokens = [1, 2, 4, 8, 16, 64];
        IReadOnlyList<DecodePipeline?> pipelines = [null];
        var variants = new List<KernelVariant> { KernelVariant.Plain };
        var (samples, sets, seed, trace, uniform) = (200, 8, 1, false, false);
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--trace")
            {
                trace = true;
                continue;
            }

            var value = i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value; usage: {Usage}");
            switch (args[i])
            {
                case "--presets":
                    presets = value == "all" ? ModelPresets.All : value.Split(',').Select(ModelPresets.Find).ToArray();
                    break;
                case "--tokens":
                    tokens = value.Split(',').Select(Positive).ToArray();
                    break;
                case "--pipelines":
                    pipelines = value.Split(',').Select(name => (DecodePipeline?)DecodePipelineChoice.Parse(name)).ToArray();
                    break;
                case "--variant":
                    variants.Add(KernelVariant.Parse(value));
                    break;
                case "--samples":
                    samples = Positive(value);
                    break;
                case "--sets":
                    sets = Positive(value);
                    break;
                case "--routing":
                    uniform = value switch
                    {
                        "model" => false,
                        "uniform" => true,
                        _ => throw new ArgumentException($"--routing: unknown routing '{value}'; valid: model, uniform"),
                    };
                    break;
                case "--seed":
                    seed = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                default:
                    throw new ArgumentException($"unknown option '{args[i]}'; usage: {Usage}");
            }

            i++;
        }

        return new TimerOptions(presets, tokens, pipelines, variants, samples, sets, seed, trace, uniform);
    }

    private static int Positive(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"'{text}' is not a positive integer; usage: {Usage}");
}
