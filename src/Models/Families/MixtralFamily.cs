using MoeTune.Abstractions.Problems;
using MoeTune.Models.Checkpoints;
using MoeTune.Models.Config;
using MoeTune.Models.Safetensors;

namespace MoeTune.Models.Families;

/// <summary>
/// Mixtral (MixtralForCausalLM): every layer is MoE; the router takes the softmax over all experts' logits, keeps the
/// top-k and renormalises them (always, in transformers' MixtralSparseMoeBlock). Experts are
/// <c>model.layers.N.block_sparse_moe.experts.M.{w1,w3,w2}</c>: w1 gate, w3 up, w2 down.
/// </summary>
internal sealed class MixtralFamily : ModelFamily
{
    public static MixtralFamily Instance { get; } = new();

    public override string Name => "mixtral";

    public override IReadOnlyList<string> Architectures { get; } = ["MixtralForCausalLM"];

    public override IReadOnlyList<string> ModelTypes { get; } = ["mixtral"];

    public override ConfigFieldNames Fields { get; } = new("num_local_experts", "num_experts_per_tok", "hidden_size", "intermediate_size");

    internal override ParsedArchitecture Parse(ConfigReader config)
    {
        var (experts, topK) = ConfigRules.RequireExpertsAndTopK(config, Fields.Experts, Fields.TopK);
        ConfigRules.RequireActivationName(config, "hidden_act", "silu");
        var layers = config.RequirePositiveInt("num_hidden_layers");
        return new ParsedArchitecture(
            experts,
            topK,
            config.RequirePositiveInt(Fields.Hidden),
            config.RequirePositiveInt(Fields.Intermediate),
            Activation.SwiGlu,
            RoutingSpec.SoftmaxRenormalized,
            SharedExperts: 0,
            layers,
            [.. Enumerable.Range(0, layers)],
            Fields);
    }

    internal override IExpertLayout SelectLayout(SafetensorsCheckpoint checkpoint, ModelSpec spec, int layer) =>
        new PerExpertLayout(new CheckpointTensors(checkpoint), spec, e => $"model.layers.{layer}.block_sparse_moe.experts.{e}", "w1", "w3", "w2");
}
