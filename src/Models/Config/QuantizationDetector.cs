using MoeTune.Abstractions.Problems;

namespace MoeTune.Models.Config;

/// <summary>
/// The weight format a checkpoint stores its routed experts in, from config.json's <c>quantization_config</c> or,
/// without one, a ModelOpt <c>hf_quant_config.json</c> beside it; BF16 where neither exists (F16/F32 checkpoints are
/// read as BF16). Recognised:
/// <list type="bullet">
/// <item>ModelOpt (<c>quant_method: modelopt</c>, or hf_quant_config.json's <c>quantization</c>): <c>quant_algo</c>
/// NVFP4 (or weight-only W4A16_NVFP4) with group size 16, FP8 (per-tensor), or MIXED_PRECISION, where the
/// <c>quantized_layers</c> entries of the routed experts (module names containing <c>.experts.</c>) decide.</item>
/// <item><c>quant_method: mxfp4</c> (gpt-oss).</item>
/// <item><c>quant_method: fp8</c> with one scale per tensor; with <c>weight_block_size</c> (DeepSeek's 128×128 block
/// scales) it is an error, since MoeTune's FP8 has one scale per matrix.</item>
/// </list>
/// Anything else is an error naming the field: MoeTune does not guess a format.
/// </summary>
internal static class QuantizationDetector
{
    public const string ModelOptFileName = "hf_quant_config.json";

    public static WeightFormat Detect(ConfigReader config)
    {
        var quantization = config.OptionalSection("quantization_config");
        if (quantization is not null) return FromQuantizationConfig(quantization);
        var modelOpt = Path.Combine(Path.GetDirectoryName(config.File) ?? ".", ModelOptFileName);
        if (!File.Exists(modelOpt)) return WeightFormat.Bf16;
        var file = ConfigReader.Load(modelOpt);
        return FromModelOpt(file.OptionalSection("quantization") ?? throw file.Error("quantization", "is missing"));
    }

    private static WeightFormat FromQuantizationConfig(ConfigReader quantization)
    {
        var method = quantization.OptionalString("quant_method")?.ToLowerInvariant();
        switch (method)
        {
            case "modelopt":
                // config.json carries ModelOpt's settings flat; some exports nest them as hf_quant_config.json does.
                return FromModelOpt(quantization.Has("quant_algo") ? quantization : quantization.OptionalSection("quantization") ?? quantization);
            case "mxfp4":
                return WeightFormat.Mxfp4;
            case "fp8":
                if (quantization.Has("weight_block_size"))
                {
                    throw quantization.Error("weight_block_size", "not supported: block-scaled FP8; MoeTune's FP8 has one scale per matrix (pass a weight format to describe the shape alone)");
                }

                var element = quantization.OptionalString("fmt");
                if (element is not null && !string.Equals(element, "e4m3", StringComparison.OrdinalIgnoreCase))
                {
                    throw quantization.Error("fmt", $"is '{element}'; MoeTune's FP8 is E4M3");
                }

                return WeightFormat.Fp8;
            case null:
                throw quantization.Error("quant_method", "is missing");
            default:
                throw quantization.Error("quant_method", $"is '{method}'; supported: modelopt (NVFP4, FP8, MIXED_PRECISION), mxfp4, fp8 (one scale per tensor)");
        }
    }

    private static WeightFormat FromModelOpt(ConfigReader modelOpt)
    {
        var algorithm = modelOpt.OptionalString("quant_algo") ?? throw modelOpt.Error("quant_algo", "is missing");
        if (!string.Equals(algorithm, "MIXED_PRECISION", StringComparison.OrdinalIgnoreCase))
        {
            return FromModelOptAlgorithm(modelOpt, "quant_algo", algorithm, modelOpt.OptionalPositiveInt("group_size"));
        }

        var layers = modelOpt.OptionalSection("quantized_layers") ?? throw modelOpt.Error("quantized_layers", "is missing for MIXED_PRECISION");
        var formats = new Dictionary<WeightFormat, string>();
        foreach (var module in layers.FieldNames.Where(m => m.Contains(".experts.", StringComparison.Ordinal)))
        {
            // A null entry counts as absent for the reader, but a listed module must say how it is quantised.
            var entry = layers.OptionalSection(module) ?? throw layers.Error(module, "must be an object, got null");
            var format = FromModelOptAlgorithm(
                entry, "quant_algo", entry.OptionalString("quant_algo") ?? throw entry.Error("quant_algo", "is missing"), entry.OptionalPositiveInt("group_size"));
            formats.TryAdd(format, module);
        }

        // Experts the map does not list are left unquantised by ModelOpt.
        return formats.Count switch
        {
            0 => WeightFormat.Bf16,
            1 => formats.Keys.Single(),
            _ => throw modelOpt.Error("quantized_layers", $"quantises routed experts in several formats ({string.Join(", ", formats.Select(f => $"{f.Key.ToName()} at {f.Value}"))}); MoeTune needs one"),
        };
    }

    private static WeightFormat FromModelOptAlgorithm(ConfigReader section, string field, string algorithm, int? groupSize)
    {
        switch (algorithm.ToUpperInvariant())
        {
            case "NVFP4":
            case "W4A16_NVFP4":
                if (groupSize is not null && groupSize != 16) throw section.Error("group_size", $"is {groupSize}; NVFP4 has 16-element blocks");
                return WeightFormat.Nvfp4;
            case "FP8":
                return WeightFormat.Fp8;
            default:
                throw section.Error(field, $"is '{algorithm}'; supported ModelOpt algorithms: NVFP4, W4A16_NVFP4, FP8, MIXED_PRECISION");
        }
    }
}
