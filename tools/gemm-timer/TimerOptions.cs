using System.Globalization;
using MoeTune.Abstractions.Problems;
using MoeTune.Models;
using MoeTune.Models.Presets;
using MoeTune.Plugins.FlashInferCutlass.Kernels;

namespace MoeTune.Tools.GemmTimer;

/// <summary>
/// <c>gemm-timer [--preset NAME…] [--format bf16|nvfp4|both] [--tokens 4096,16384] [--pipelines NAME,…|all]
/// [--samples 20] [--check-tokens 8] [--hang-seconds 60] [--smoke]</c>. Without <c>--preset</c> it times the three
/// presets of issue 6: mixtral-8x7b, qwen3-235b-a22b and deepseek-v3.
/// </summary>
internal sealed record TimerOptions(
    IReadOnlyList<ModelSpec> Presets,
    IReadOnlyList<WeightFormat> Formats,
    IReadOnlyList<int> Tokens,
    IReadOnlyList<GemmPipeline> Pipelines,
    int Samples,
    int CheckTokens,
    int HangSeconds,
    bool SmokeOnly)
{
    public const string Usage = "usage: gemm-timer [--preset NAME ...] [--format bf16|nvfp4|both] [--tokens 4096,16384] "
        + "[--pipelines NAME,...|all] [--samples 20] [--check-tokens 8] [--hang-seconds 60] [--smoke]";

    private static readonly string[] DefaultPresets = ["mixtral-8x7b", "qwen3-235b-a22b", "deepseek-v3"];

    public static TimerOptions Parse(IReadOnlyList<string> args)
    {
        var presets = new List<ModelSpec>();
        IReadOnlyList<WeightFormat> formats = [WeightFormat.Bf16, WeightFormat.Nvfp4];
        IReadOnlyList<int> tokens = [4096, 16384];
        IReadOnlyList<GemmPipeline> pipelines = GemmPipeline.All;
        var (samples, checkTokens, hangSeconds, smoke) = (20, 8, 60, false);
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--smoke")
            {
                smoke = true;
                continue;
            }

            var value = i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value; {Usage}");
            switch (args[i - 1])
            {
                case "--preset":
                    presets.Add(Preset(value));
                    break;
                case "--format":
                    formats = value == "both" ? [WeightFormat.Bf16, WeightFormat.Nvfp4] : [WeightFormats.Parse(value)];
                    break;
                case "--tokens":
                    tokens = [.. value.Split(',').Select(t => PositiveInt(t, "--tokens"))];
                    break;
                case "--pipelines":
                    pipelines = value == "all" ? GemmPipeline.All : [.. value.Split(',').Select(GemmPipeline.Parse).Distinct()];
                    break;
                case "--samples":
                    samples = PositiveInt(value, "--samples");
                    break;
                case "--check-tokens":
                    checkTokens = PositiveInt(value, "--check-tokens");
                    break;
                case "--hang-seconds":
                    hangSeconds = PositiveInt(value, "--hang-seconds");
                    break;
                default:
                    throw new ArgumentException($"unknown option '{args[i - 1]}'; {Usage}");
            }
        }

        return new TimerOptions(
            presets.Count > 0 ? presets : [.. DefaultPresets.Select(Preset)], formats, tokens, pipelines, samples, checkTokens, hangSeconds, smoke);
    }

    private static ModelSpec Preset(string name) => ModelPresets.TryFind(name, out var spec)
        ? spec
        : throw new ArgumentException($"unknown preset '{name}'; known: {string.Join(", ", ModelPresets.Names)}");

    private static int PositiveInt(string text, string option) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{option} takes positive integers, got '{text}'");
}
