using System.Globalization;
using MoeTune.Abstractions.Problems;

namespace MoeTune.Engine.Tests.Support;

/// <summary>
/// A Qwen3-MoE config.json small enough for the CPU reference to run in milliseconds (E=8, top-2, H=64, I=32),
/// so that command-line tests can pass a real --model path through the same parsing users get.
/// </summary>
internal static class TinyModel
{
    public const int Experts = 8;
    public const int TopK = 2;
    public const int Hidden = 64;
    public const int Intermediate = 32;

    public static MoeShape Shape(WeightFormat format = WeightFormat.Bf16) => new(Experts, TopK, Hidden, Intermediate, Activation.SwiGlu, format);

    /// <summary>Writes <c>&lt;folder&gt;/tiny-qwen3/config.json</c> and returns the config's path.</summary>
    public static string WriteConfig(string folder)
    {
        var directory = Path.Combine(folder, "tiny-qwen3");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "config.json");
        File.WriteAllText(path, string.Create(CultureInfo.InvariantCulture, $$"""
            {
              "architectures": ["Qwen3MoeForCausalLM"],
              "model_type": "qwen3_moe",
              "hidden_act": "silu",
              "hidden_size": {{Hidden}},
              "moe_intermediate_size": {{Intermediate}},
              "num_experts": {{Experts}},
              "num_experts_per_tok": {{TopK}},
              "norm_topk_prob": true,
              "num_hidden_layers": 2
            }
            """));
        return path;
    }
}
