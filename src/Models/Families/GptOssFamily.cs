using System.Globalization;
using MoeTune.Abstractions.Problems;
using MoeTune.Models.Checkpoints;
using MoeTune.Models.Config;
using MoeTune.Models.Safetensors;

namespace MoeTune.Models.Families;

/// <summary>
/// gpt-oss (GptOssForCausalLM): every layer is MoE. The router takes the top-k logits and a softmax over those k, which
/// equals a softmax over all experts, top-k, renormalised: <see cref="RoutingSpec.SoftmaxRenormalized"/>. Experts use
/// the clamped SwiGLU with biases; the limit is <c>swiglu_limit</c> (7, the only value MoeTune's activation has). The
/// top-k is <c>num_experts_per_tok</c> or <c>experts_per_token</c> (the released configs carry both). Experts are fused
/// under <c>model.layers.N.mlp.experts.</c>: MXFP4 <c>*_blocks</c>/<c>*_scales</c>, or BF16 <c>gate_up_proj</c>
/// [E, H, 2I] / <c>down_proj</c> [E, I, H]; gate and up interleave along 2I either way.
/// </summary>
internal sealed class GptOssFamily : ModelFamily
{
    private const string AlternateTopKField = "experts_per_token";

    public static GptOssFamily Instance { get; } = new();

    public override string Name => "gpt-oss";

    public override IReadOnlyList<string> Architectures { get; } = ["GptOssForCausalLM"];

    public override IReadOnlyList<string> ModelTypes { get; } = ["gpt_oss"];

    public override ConfigFieldNames Fields { get; } = new("num_local_experts", "num_experts_per_tok", "hidden_size", "intermediate_size");

    internal override ParsedArchitecture Parse(ConfigReader config)
    {
        var experts = config.RequirePositiveInt(Fields.Experts);
        var topK = ReadTopK(config);
        ConfigRules.RequireTopKWithinExperts(config, Fields.TopK, topK, Fields.Experts, experts);
        var limit = config.OptionalDouble("swiglu_limit");
        if (limit is not null && limit.Value != Activations.ClampedLimit)
        {
            throw config.Error("swiglu_limit", string.Create(
                CultureInfo.InvariantCulture, $"is {limit.Value}; MoeTune's clamped SwiGLU has limit {Activations.ClampedLimit}"));
        }

        var layers = config.RequirePositiveInt("num_hidden_layers");
        return new ParsedArchitecture(
            experts,
            topK,
            config.RequirePositiveInt(Fields.Hidden),
            config.RequirePositiveInt(Fields.Intermediate),
            Activation.ClampedSwiGlu,
            RoutingSpec.SoftmaxRenormalized,
            SharedExperts: 0,
            layers,
            [.. Enumerable.Range(0, layers)],
            Fields);
    }

    internal override IExpertLayout SelectLayout(SafetensorsCheckpoint checkpoint, ModelSpec spec, int layer)
    {
        var tensors = new CheckpointTensors(checkpoint);
        var prefix = $"model.layers.{layer}.mlp.experts";
        return spec.Shape.Format == WeightFormat.Mxfp4
            ? new GptOssMxfp4Layout(tensors, spec, prefix)
            : new FusedTransposedLayout(
                tensors, spec, $"{prefix}.gate_up_proj", $"{prefix}.down_proj", GateUpOrder.Interleaved, $"{prefix}.gate_up_proj_bias", $"{prefix}.down_proj_bias");
    }

    private int ReadTopK(ConfigReader config)
    {
        var standard = config.OptionalPositiveInt(Fields.TopK);
        var alternate = config.OptionalPositiveInt(AlternateTopKField);
        if (standard is not null && alternate is not null && standard != alternate)
        {
            throw config.Error(Fields.TopK, string.Create(
                CultureInfo.InvariantCulture, $"is {standard} but {config.PathOf(AlternateTopKField)} is {alternate}"));
        }

        return standard ?? alternate ?? throw config.Error(Fields.TopK, $"is missing (and so is {config.PathOf(AlternateTopKField)})");
    }
}
