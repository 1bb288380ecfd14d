using System.Text.Json.Nodes;

namespace MoeTune.Models.Tests.Support;

/// <summary>The real configs (<see cref="RealConfigs"/>) shrunk to test sizes: H = 64, I = 32, two layers, few experts.</summary>
internal static class TinyConfigs
{
    public const int Hidden = 64;
    public const int Intermediate = 32;

    /// <summary>Mixtral, 4 experts, top-2, 2 layers.</summary>
    public static string Mixtral() => RealConfigs.Edit(RealConfigs.Mixtral8x7B, c =>
    {
        c["num_local_experts"] = 4;
        c["hidden_size"] = Hidden;
        c["intermediate_size"] = Intermediate;
        c["num_hidden_layers"] = 2;
    });

    /// <summary>Qwen3-MoE, 4 experts, top-2, 2 layers; <paramref name="quantization"/> as its quantization_config.</summary>
    public static string Qwen3(string? quantization = null) => RealConfigs.Edit(RealConfigs.Qwen3_30B_A3B, c =>
    {
        c["num_experts"] = 4;
        c["num_experts_per_tok"] = 2;
        c["hidden_size"] = Hidden;
        c["moe_intermediate_size"] = Intermediate;
        c["num_hidden_layers"] = 2;
        if (quantization is not null) c["quantization_config"] = JsonNode.Parse(quantization);
    });

    /// <summary>DeepSeek-V3, 4 experts in 2 groups, top-2, layer 0 dense and layer 1 MoE.</summary>
    public static string DeepSeek() => RealConfigs.Edit(RealConfigs.DeepSeekV3, c =>
    {
        c["n_routed_experts"] = 4;
        c["num_experts_per_tok"] = 2;
        c["n_group"] = 2;
        c["topk_group"] = 1;
        c["hidden_size"] = Hidden;
        c["moe_intermediate_size"] = Intermediate;
        c["num_hidden_layers"] = 2;
        c["first_k_dense_replace"] = 1;
        c.Remove("quantization_config");
    });

    /// <summary>gpt-oss, 2 experts, top-1, 1 layer, MXFP4 unless <paramref name="mxfp4"/> is false.</summary>
    public static string GptOss(bool mxfp4 = true) => RealConfigs.Edit(RealConfigs.GptOss120B, c =>
    {
        c["num_local_experts"] = 2;
        c["num_experts_per_tok"] = 1;
        c["experts_per_token"] = 1;
        c["hidden_size"] = Hidden;
        c["intermediate_size"] = Intermediate;
        c["num_hidden_layers"] = 1;
        if (!mxfp4) c.Remove("quantization_config");
    });

    /// <summary>Llama-4, 2 experts, top-1, 1 layer; text-only (Llama4ForCausalLM) where <paramref name="textOnly"/>.</summary>
    public static string Llama4(bool textOnly = false)
    {
        var json = RealConfigs.Edit(RealConfigs.Llama4Scout, c =>
        {
            var text = c["text_config"]!;
            text["num_local_experts"] = 2;
            text["hidden_size"] = Hidden;
            text["intermediate_size"] = Intermediate;
            text["num_hidden_layers"] = 1;
        });
        if (!textOnly) return json;
        var textConfig = JsonNode.Parse(json)!["text_config"]!.AsObject();
        textConfig["architectures"] = new JsonArray("Llama4ForCausalLM");
        return textConfig.ToJsonString();
    }

    /// <summary>Nemotron-H with a latent: 4 experts, top-2, layers M E (layer 1 is MoE), NVFP4 experts via hf_quant_config-free MIXED_PRECISION.</summary>
    public static string Nemotron() => RealConfigs.Edit(RealConfigs.NemotronSuperNvfp4, c =>
    {
        c["n_routed_experts"] = 4;
        c["num_experts_per_tok"] = 2;
        c["moe_latent_size"] = Hidden;
        c["moe_intermediate_size"] = Intermediate;
        c["hybrid_override_pattern"] = "ME";
        c["num_hidden_layers"] = 2;
    });
}
