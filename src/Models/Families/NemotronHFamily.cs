using System.Globalization;
using MoeTune.Abstractions.Problems;
using MoeTune.Models.Checkpoints;
using MoeTune.Models.Config;
using MoeTune.Models.Safetensors;

namespace MoeTune.Models.Families;

/// <summary>
/// Nemotron-H (NemotronHForCausalLM, Nemotron-3): a hybrid of Mamba, attention and MoE layers, whose kinds come from
/// <c>hybrid_override_pattern</c> ('E' marks MoE) or, in newer configs, <c>layers_block_type</c> ("moe"). Experts are
/// not gated (ReLU², <c>mlp_hidden_act</c> relu2) and, in LatentMoE models (Nemotron-3-Super), work in the
/// <c>moe_latent_size</c> space the layer projects into, so that is the expert hidden size. Routing: sigmoid with a
/// correction bias, grouped by <c>n_group</c>/<c>topk_group</c>, renormalised where <c>norm_topk_prob</c>, scaled by
/// <c>routed_scaling_factor</c> (absent fields take transformers' NemotronHConfig defaults: 1 group, renormalised, 1.0).
/// Note <c>n_groups</c> (plural) is Mamba's, not the router's. Experts are
/// <c>backbone.layers.N.mixer.experts.M.{up_proj,down_proj}</c>.
/// </summary>
internal sealed class NemotronHFamily : ModelFamily
{
    public static NemotronHFamily Instance { get; } = new();

    public override string Name => "nemotron-h";

    public override IReadOnlyList<string> Architectures { get; } = ["NemotronHForCausalLM"];

    public override IReadOnlyList<string> ModelTypes { get; } = ["nemotron_h"];

    public override ConfigFieldNames Fields { get; } = new("n_routed_experts", "num_experts_per_tok", "moe_latent_size", "moe_intermediate_size");

    internal override ParsedArchitecture Parse(ConfigReader config)
    {
        var (experts, topK) = ConfigRules.RequireExpertsAndTopK(config, Fields.Experts, Fields.TopK);
        ConfigRules.RequireActivationName(config, "mlp_hidden_act", "relu2");
        var latent = config.OptionalPositiveInt("moe_latent_size");
        var hiddenField = latent is null ? "hidden_size" : "moe_latent_size";
        var routing = new RoutingSpec(
            RouterScoring.Sigmoid,
            Renormalize: config.OptionalBool("norm_topk_prob") ?? true,
            Groups: config.OptionalPositiveInt("n_group") ?? 1,
            TopKGroups: config.OptionalPositiveInt("topk_group") ?? 1,
            UsesCorrectionBias: true,
            RoutedScalingFactor: config.OptionalDouble("routed_scaling_factor") ?? 1.0);
        ConfigRules.RequireRoutable(config, routing, experts, topK, "n_group", "topk_group");
        var (kinds, kindsField) = LayerKinds(config);
        var layers = config.OptionalPositiveInt("num_hidden_layers") ?? kinds.Count;
        if (layers != kinds.Count)
        {
            throw config.Error("num_hidden_layers", string.Create(
                CultureInfo.InvariantCulture, $"is {layers} but {config.PathOf(kindsField)} describes {kinds.Count} layers"));
        }

        return new ParsedArchitecture(
            experts,
            topK,
            latent ?? config.RequirePositiveInt("hidden_size"),
            config.RequirePositiveInt(Fields.Intermediate),
            Activation.ReluSquared,
            routing,
            SharedExperts: config.OptionalNonNegativeInt("n_shared_experts") ?? 1,
            layers,
            ConfigRules.MoeLayers(config, layers, l => kinds[l], kindsField),
            Fields with { Hidden = config.PathOf(hiddenField) });
    }

    internal override IExpertLayout SelectLayout(SafetensorsCheckpoint checkpoint, ModelSpec spec, int layer) =>
        new PerExpertLayout(new CheckpointTensors(checkpoint), spec, e => $"backbone.layers.{layer}.mixer.experts.{e}", gate: null, "up_proj", "down_proj");

    /// <summary>For each layer, whether it is MoE, and the field that said so.</summary>
    private static (IReadOnlyList<bool> IsMoe, string Field) LayerKinds(ConfigReader config)
    {
        var pattern = config.OptionalString("hybrid_override_pattern");
        if (pattern is not null)
        {
            var unknown = pattern.FirstOrDefault(c => c is not ('M' or '*' or '-' or 'E'));
            if (unknown != default) throw config.Error("hybrid_override_pattern", $"holds '{unknown}'; expected M, *, - or E");
            return ([.. pattern.Select(c => c == 'E')], "hybrid_override_pattern");
        }

        var blocks = config.OptionalStrings("layers_block_type");
        if (blocks.Count == 0) throw config.Error("hybrid_override_pattern", "is missing (and so is layers_block_type)");
        return ([.. blocks.Select(b => b == "moe")], "layers_block_type");
    }
}
