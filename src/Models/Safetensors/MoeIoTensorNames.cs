namespace MoeTune.Models.Safetensors;

/// <summary>
/// The tensor names of a MoE layer's inputs and outputs in a safetensors file (<c>moetune run --input/--output</c>).
/// </summary>
public static class MoeIoTensorNames
{
    /// <summary>[T, H] BF16: the tokens' hidden states.</summary>
    public const string HiddenStates = "hidden_states";

    /// <summary>[T, k] I32: the experts chosen per token.</summary>
    public const string TopKIds = "topk_ids";

    /// <summary>[T, k] F32: the chosen experts' weights.</summary>
    public const string TopKWeights = "topk_weights";

    /// <summary>[T, E]: the router's logits, from which ids and weights can be derived instead.</summary>
    public const string RouterLogits = "router_logits";

    /// <summary>[T, H] BF16: the layer's output.</summary>
    public const string Output = "output";
}
