using MoeTune.Abstractions.Problems;
using MoeTune.Models.Checkpoints;
using MoeTune.Models.Config;
using MoeTune.Models.Safetensors;

namespace MoeTune.Models.Families;

/// <summary>
/// DeepSeek-V3 (DeepseekV3ForCausalLM): sigmoid scores; with <c>topk_method</c> <c>noaux_tc</c> a per-expert
/// correction bias steers the choice only; grouped top-k keeps <c>topk_group</c> of <c>n_group</c> groups; weights
/// renormalised where <c>norm_topk_prob</c>, then scaled by <c>routed_scaling_factor</c>; <c>n_shared_experts</c> run
/// beside. Layer l is MoE when l ≥ <c>first_k_dense_replace</c> and l % <c>moe_layer_freq</c> = 0. Absent routing fields
/// take transformers' DeepseekV3Config defaults (sigmoid, noaux_tc, 8 groups keep 4, renormalised, 2.5, 1 shared).
/// Experts are <c>model.layers.N.mlp.experts.M.{gate,up,down}_proj</c>.
/// </summary>
internal sealed class DeepSeekV3Family : ModelFamily
{
    public static DeepSeekV3Family Instance { get; } = new();

    public override string Name => "deepseek-v3";

    public override IReadOnlyList<string> Architectures { get; } = ["DeepseekV3ForCausalLM"];

    public override IReadOnlyList<string> ModelTypes { get; } = ["deepseek_v3"];

    public override ConfigFieldNames Fields { get; } = new("n_routed_experts", "num_experts_per_tok", "hidden_size", "moe_intermediate_size");

    internal override ParsedArchitecture Parse(ConfigReader config)
    {
        var (experts, topK) = ConfigRules.RequireExpertsAndTopK(config, Fields.Experts, Fields.TopK);
        ConfigRules.RequireActivationName(config, "hidden_act", "silu");
        var scoring = config.OptionalString("scoring_func") switch
        {
            null or "sigmoid" => RouterScoring.Sigmoid,
            "softmax" => RouterScoring.Softmax,
            var other => throw config.Error("scoring_func", $"is '{other}'; expected 'sigmoid' or 'softmax'"),
        };
        var method = config.OptionalString("topk_method") ?? "noaux_tc";
        var grouped = method switch
        {
            "noaux_tc" or "group_limited_greedy" => true,
            "greedy" => false,
            _ => throw config.Error("topk_method", $"is '{method}'; expected 'noaux_tc', 'group_limited_greedy' or 'greedy'"),
        };
        var routing = new RoutingSpec(
            scoring,
            Renormalize: config.OptionalBool("norm_topk_prob") ?? true,
            Groups: grouped ? config.OptionalPositiveInt("n_group") ?? 8 : 1,
            TopKGroups: grouped ? config.OptionalPositiveInt("topk_group") ?? 4 : 1,
            UsesCorrectionBias: method == "noaux_tc",
            RoutedScalingFactor: config.OptionalDouble("routed_scaling_factor") ?? 2.5);
        ConfigRules.RequireRoutable(config, routing, experts, topK, "n_group", "topk_group");
        var layers = config.RequirePositiveInt("num_hidden_layers");
        var firstMoe = config.OptionalNonNegativeInt("first_k_dense_replace") ?? 3;
        var frequency = config.OptionalPositiveInt("moe_layer_freq") ?? 1;
        return new ParsedArchitecture(
            experts,
            topK,
            config.RequirePositiveInt(Fields.Hidden),
            config.RequirePositiveInt(Fields.Intermediate),
            Activation.SwiGlu,
            routing,
            SharedExperts: config.OptionalNonNegativeInt("n_shared_experts") ?? 1,
            layers,
            ConfigRules.MoeLayers(config, layers, l => l >= firstMoe && l % frequency == 0, "first_k_dense_replace/moe_layer_freq"),
            Fields);
    }

    internal override IExpertLayout SelectLayout(SafetensorsCheckpoint checkpoint, ModelSpec spec, int layer) =>
        new PerExpertLayout(new CheckpointTensors(checkpoint), spec, e => $"model.layers.{layer}.mlp.experts.{e}", "gate_proj", "up_proj", "down_proj");
}
