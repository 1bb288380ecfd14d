using System.Text.Json.Nodes;

namespace MoeTune.Models.Tests.Support;

/// <summary>
/// The released config.json files of the preset models, cut to the fields MoeTune reads (and a few it must ignore),
/// values as published on the Hugging Face hub.
/// </summary>
internal static class RealConfigs
{
    public const string Mixtral8x7B = """
        {
          "_name_or_path": "mistralai/Mixtral-8x7B-v0.1",
          "architectures": ["MixtralForCausalLM"],
          "hidden_act": "silu",
          "hidden_size": 4096,
          "intermediate_size": 14336,
          "model_type": "mixtral",
          "num_attention_heads": 32,
          "num_experts_per_tok": 2,
          "num_hidden_layers": 32,
          "num_key_value_heads": 8,
          "num_local_experts": 8,
          "router_aux_loss_coef": 0.02,
          "torch_dtype": "bfloat16"
        }
        """;

    public const string Qwen3_30B_A3B = """
        {
          "architectures": ["Qwen3MoeForCausalLM"],
          "decoder_sparse_step": 1,
          "hidden_act": "silu",
          "hidden_size": 2048,
          "intermediate_size": 6144,
          "mlp_only_layers": [],
          "model_type": "qwen3_moe",
          "moe_intermediate_size": 768,
          "norm_topk_prob": true,
          "num_experts": 128,
          "num_experts_per_tok": 8,
          "num_hidden_layers": 48,
          "torch_dtype": "bfloat16"
        }
        """;

    public const string Qwen3_235B_A22B = """
        {
          "architectures": ["Qwen3MoeForCausalLM"],
          "decoder_sparse_step": 1,
          "hidden_act": "silu",
          "hidden_size": 4096,
          "intermediate_size": 12288,
          "mlp_only_layers": [],
          "model_type": "qwen3_moe",
          "moe_intermediate_size": 1536,
          "norm_topk_prob": true,
          "num_experts": 128,
          "num_experts_per_tok": 8,
          "num_hidden_layers": 94
        }
        """;

    public const string DeepSeekV3 = """
        {
          "architectures": ["DeepseekV3ForCausalLM"],
          "first_k_dense_replace": 3,
          "hidden_act": "silu",
          "hidden_size": 7168,
          "intermediate_size": 18432,
          "model_type": "deepseek_v3",
          "moe_intermediate_size": 2048,
          "moe_layer_freq": 1,
          "n_group": 8,
          "n_routed_experts": 256,
          "n_shared_experts": 1,
          "norm_topk_prob": true,
          "num_experts_per_tok": 8,
          "num_hidden_layers": 61,
          "quantization_config": {
            "activation_scheme": "dynamic",
            "fmt": "e4m3",
            "quant_method": "fp8",
            "weight_block_size": [128, 128]
          },
          "routed_scaling_factor": 2.5,
          "scoring_func": "sigmoid",
          "topk_group": 4,
          "topk_method": "noaux_tc"
        }
        """;

    public const string GptOss120B = """
        {
          "architectures": ["GptOssForCausalLM"],
          "experts_per_token": 4,
          "hidden_act": "silu",
          "hidden_size": 2880,
          "intermediate_size": 2880,
          "model_type": "gpt_oss",
          "num_experts_per_tok": 4,
          "num_hidden_layers": 36,
          "num_local_experts": 128,
          "quantization_config": {
            "modules_to_not_convert": ["model.layers.*.self_attn", "model.layers.*.mlp.router", "model.embed_tokens", "lm_head"],
            "quant_method": "mxfp4"
          },
          "swiglu_limit": 7.0
        }
        """;

    public const string Llama4Scout = """
        {
          "architectures": ["Llama4ForConditionalGeneration"],
          "model_type": "llama4",
          "text_config": {
            "hidden_act": "silu",
            "hidden_size": 5120,
            "interleave_moe_layer_step": 1,
            "intermediate_size": 8192,
            "intermediate_size_mlp": 16384,
            "model_type": "llama4_text",
            "num_experts_per_tok": 1,
            "num_hidden_layers": 48,
            "num_local_experts": 16
          },
          "vision_config": { "hidden_size": 1408, "model_type": "llama4_vision_model" }
        }
        """;

    /// <summary>NVIDIA-Nemotron-3-Super-120B-A12B-NVFP4; its quantized_layers map (41,100 entries) cut to a sample of each kind.</summary>
    public const string NemotronSuperNvfp4 = """
        {
          "architectures": ["NemotronHForCausalLM"],
          "hidden_size": 4096,
          "hybrid_override_pattern": "MEMEMEM*EMEMEMEM*EMEMEMEM*EMEMEMEMEM*EMEMEMEMEM*EMEMEMEMEM*EMEMEMEMEM*EMEMEMEM*EMEMEMEME",
          "intermediate_size": 2688,
          "mlp_hidden_act": "relu2",
          "model_type": "nemotron_h",
          "moe_intermediate_size": 2688,
          "moe_latent_size": 1024,
          "moe_shared_expert_intermediate_size": 5376,
          "n_group": 1,
          "n_groups": 8,
          "n_routed_experts": 512,
          "n_shared_experts": 1,
          "norm_topk_prob": true,
          "num_experts_per_tok": 22,
          "num_hidden_layers": 88,
          "routed_scaling_factor": 5.0,
          "topk_group": 1,
          "quantization_config": {
            "quant_algo": "MIXED_PRECISION",
            "quant_method": "modelopt",
            "producer": { "name": "modelopt", "version": "0.43.0" },
            "quantized_layers": {
              "backbone.layers.0.mixer.in_proj": { "quant_algo": "FP8" },
              "backbone.layers.1.mixer.shared_experts.up_proj": { "quant_algo": "FP8" },
              "backbone.layers.1.mixer.shared_experts.down_proj": { "quant_algo": "NVFP4", "group_size": 16 },
              "backbone.layers.1.mixer.experts.0.up_proj": { "quant_algo": "NVFP4", "group_size": 16 },
              "backbone.layers.1.mixer.experts.0.down_proj": { "quant_algo": "NVFP4", "group_size": 16 },
              "backbone.layers.87.mixer.experts.511.down_proj": { "quant_algo": "NVFP4", "group_size": 16 }
            }
          }
        }
        """;

    /// <summary>The config of each preset, by preset name.</summary>
    public static IReadOnlyDictionary<string, string> ByPreset { get; } = new Dictionary<string, string>
    {
        ["mixtral-8x7b"] = Mixtral8x7B,
        ["qwen3-30b-a3b"] = Qwen3_30B_A3B,
        ["qwen3-235b-a22b"] = Qwen3_235B_A22B,
        ["deepseek-v3"] = DeepSeekV3,
        ["gpt-oss-120b"] = GptOss120B,
        ["llama-4-scout"] = Llama4Scout,
        ["nemotron-3-super"] = NemotronSuperNvfp4,
    };

    /// <summary><paramref name="json"/> with <paramref name="edit"/> applied to its root object.</summary>
    public static string Edit(string json, Action<JsonObject> edit)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        edit(root);
        return root.ToJsonString();
    }
}
