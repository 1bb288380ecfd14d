using MoeTune.Abstractions.Problems;
using MoeTune.Models.Checkpoints;
using MoeTune.Models.Config;
using MoeTune.Models.Safetensors;

namespace MoeTune.Models.Families;

/// <summary>
/// Llama-4 (Llama4ForConditionalGeneration, whose text model sits under <c>text_config</c>, or the text-only
/// Llama4ForCausalLM): the router takes the top-k logits and a sigmoid of each, not renormalised; one shared expert
/// runs beside. Llama-4 multiplies the expert's input by the router weight rather than its output, which MoeTune's
/// layer contract (weight on the output) does not express; for SwiGLU the two differ, so a forward pass with these
/// weights is Llama-4-shaped, not Llama-4-exact. MoE layers are <c>moe_layers</c> where given, else every
/// <c>interleave_moe_layer_step</c>-th. Experts sit under <c>language_model.model.layers.N.feed_forward.experts</c>
/// (<c>model.layers…</c> for the text-only model): fused BF16 <c>gate_up_proj</c> [E, H, 2I] (gate columns first) and
/// <c>down_proj</c> [E, I, H], or one module per expert (<c>experts.M.{gate,up,down}_proj</c>) in quantised exports.
/// </summary>
internal sealed class Llama4Family : ModelFamily
{
    private static readonly string[] LayerPrefixes = ["language_model.model.layers", "model.layers"];

    public static Llama4Family Instance { get; } = new();

    public override string Name => "llama4";

    public override IReadOnlyList<string> Architectures { get; } = ["Llama4ForConditionalGeneration", "Llama4ForCausalLM"];

    public override IReadOnlyList<string> ModelTypes { get; } = ["llama4", "llama4_text"];

    public override ConfigFieldNames Fields { get; } =
        new("text_config.num_local_experts", "text_config.num_experts_per_tok", "text_config.hidden_size", "text_config.intermediate_size");

    internal override ParsedArchitecture Parse(ConfigReader config)
    {
        var text = config.OptionalSection("text_config") ?? config;
        var fields = new ConfigFieldNames(
            text.PathOf("num_local_experts"), text.PathOf("num_experts_per_tok"), text.PathOf("hidden_size"), text.PathOf("intermediate_size"));
        var (experts, topK) = ConfigRules.RequireExpertsAndTopK(text, "num_local_experts", "num_experts_per_tok");
        ConfigRules.RequireActivationName(text, "hidden_act", "silu");
        var layers = text.RequirePositiveInt("num_hidden_layers");
        var listed = text.OptionalInts("moe_layers");
        var step = text.OptionalPositiveInt("interleave_moe_layer_step") ?? 1;
        var moeLayers = listed.Count > 0
            ? ListedLayers(text, listed, layers)
            : ConfigRules.MoeLayers(text, layers, l => (l + 1) % step == 0, "interleave_moe_layer_step");
        return new ParsedArchitecture(
            experts,
            topK,
            text.RequirePositiveInt("hidden_size"),
            text.RequirePositiveInt("intermediate_size"),
            Activation.SwiGlu,
            new RoutingSpec(RouterScoring.Sigmoid, Renormalize: false),
            SharedExperts: 1,
            layers,
            moeLayers,
            fields);
    }

    internal override IExpertLayout SelectLayout(SafetensorsCheckpoint checkpoint, ModelSpec spec, int layer)
    {
        var tensors = new CheckpointTensors(checkpoint);
        var tried = new List<string>();
        foreach (var layers in LayerPrefixes)
        {
            var experts = $"{layers}.{layer}.feed_forward.experts";
            if (checkpoint.Contains($"{experts}.gate_up_proj"))
            {
                return new FusedTransposedLayout(tensors, spec, $"{experts}.gate_up_proj", $"{experts}.down_proj", GateUpOrder.Concatenated);
            }

            if (checkpoint.Contains($"{experts}.0.gate_proj.weight"))
            {
                return new PerExpertLayout(tensors, spec, e => $"{experts}.{e}", "gate_proj", "up_proj", "down_proj");
            }

            tried.Add($"{experts}.gate_up_proj");
            tried.Add($"{experts}.0.gate_proj.weight");
        }

        throw tensors.Error(tried[0], $"is missing, and so are the other layouts Llama-4 checkpoints use: {string.Join(", ", tried.Skip(1))}");
    }

    private static int[] ListedLayers(ConfigReader text, IReadOnlyList<int> listed, int layers)
    {
        var sorted = listed.Order().ToArray();
        if (sorted[0] < 0 || sorted[^1] >= layers || sorted.Distinct().Count() != sorted.Length)
        {
            throw text.Error("moe_layers", $"must list distinct layers within 0..{layers - 1} (num_hidden_layers = {layers})");
        }

        return sorted;
    }
}
