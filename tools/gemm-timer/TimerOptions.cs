using System.Globalization;
using MoeTune.Abstractions.Problems;
using MoeTune.Models;
using MoeTune.Models.Presets;

namespace MoeTune.Tools.GemmTimer;

/// <summary>
/// <c>gemm-timer --preset NAME [--preset NAME…] [--format bf16|nvfp4|both] [--tokens 4096,16384] [--samples 20]</c>
/// </summary>
internal sealed record TimerOptions(IReadOnlyList<ModelSpec> Presets, IReadOnlyList<WeightFormat> Formats, IReadOnlyList<int> Tokens, int Samples)
{
    public const string Usage = "usage: gemm-timer --preset NAME [--preset NAME ...] [--format bf16|nvfp4|both] [--tokens 4096,16384] [--samples 20]";

    public static TimerOptions Parse(IReadOnlyList<string> args)
    {
        var presets = new List<ModelSpec>();
        IReadOnlyList<WeightFormat> formats = [WeightFormat.Bf16];
        IReadOnlyList<int> tokens = [4096, 16384];
        var samples = 20;
        for (var i = 0; i < args.Count; i += 2)
        {
            var value = i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value; {Usage}");
            switch (args[i])
            {
                case "--preset":
                    presets.Add(ModelPresets.TryFind(value, out var spec)
                        ? spec
                        : throw new ArgumentException($"unknown preset '{value}'; known: {string.Join(", ", ModelPresets.Names)}"));
                    break;
                case "--format":
                    formats = value == "both" ? [WeightFormat.Bf16, WeightFormat.Nvfp4] : [WeightFormats.Parse(value)];
                    break;
                case "--tokens":
                    tokens = [.. value.Split(',').Select(t => PositiveInt(t, "--tokens"))];
                    break;
                case "--samples":
                    samples = PositiveInt(value, "--samples");
                    break;
                default:
                    throw new ArgumentException($"unknown option '{args[i]}'; {Usage}");
            }
        }

        return presets.Count > 0 ? new TimerOptions(presets, formats, tokens, samples) : throw new ArgumentException($"no --preset given; {Usage}");
    }

    private static int PositiveInt(string text, string option) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{option} takes positive integers, got '{text}'");
}
