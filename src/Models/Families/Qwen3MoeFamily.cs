using MoeTune.Abstractions.Problems;
using MoeTune.Models.Checkpoints;
using MoeTune.Models.Config;
using MoeTune.Models.Safetensors;

namespace MoeTune.Models.Families;

/// <summary>
/// Qwen3-MoE (Qwen3MoeForCausalLM): softmax over all experts, top-k, renormalised where <c>norm_topk_prob</c> is true
/// (transformers' default: false). A layer is MoE unless listed in <c>mlp_only_layers</c>, every
/// <c>decoder_sparse_step</c>-th layer (default 1). Experts are <c>model.layers.N.mlp.experts.M.{gate,up,down}_proj</c>.
/// </summary>
internal sealed class Qwen3MoeFamily : ModelFamily
{
    public static Qwen3MoeFamily Instance { get; } = new();

    public override string Name => "qwen3-moe";

    public override IReadOnlyList<string> Architectures { get; } = ["Qwen3MoeForCausalLM"];

    public override IReadOnlyList<string> ModelTypes { get; } = ["qwen3_moe"];

    public override ConfigFieldNames Fields { get; } = new("num_experts", "num_experts_per_tok", "hidden_size", "moe_intermediate_size");

    internal override ParsedArchitecture Parse(ConfigReader config)
    {
        var (experts, topK) = ConfigRules.RequireExpertsAndTopK(config, Fields.Experts, Fields.TopK);
        ConfigRules.RequireActivationName(config, "hidden_act", "silu");
        var layers = config.RequirePositiveInt("num_hidden_layers");
        var step = config.OptionalPositiveInt("decoder_sparse_step") ?? 1;
        var mlpOnly = config.OptionalInts("mlp_only_layers").ToHashSet();
        return new ParsedArchitecture(
            experts,
            topK,
            config.RequirePositiveInt(Fields.Hidden),
            config.RequirePositiveInt(Fields.Intermediate),
            Activation.SwiGlu,
            new RoutingSpec(RouterScoring.Softmax, Renormalize: config.OptionalBool("norm_topk_prob") ?? false),
            SharedExperts: 0,
            layers,
            ConfigRules.MoeLayers(config, layers, l => !mlpOnly.Contains(l) && (l + 1) % step == 0, "mlp_only_layers/decoder_sparse_step"),
            Fields);
    }

    internal override IExpertLayout SelectLayout(SafetensorsCheckpoint checkpoint, ModelSpec spec, int layer) =>
        new PerExpertLayout(new CheckpointTensors(checkpoint), spec, e => $"model.layers.{layer}.mlp.experts.{e}", "gate_proj", "up_proj", "down_proj");
}
