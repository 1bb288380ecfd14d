namespace MoeTune.Abstractions.Problems;

/// <summary>How router logits become scores.</summary>
public enum RouterScoring
{
    /// <summary>Softmax over all experts' logits (Mixtral, Qwen3-MoE, gpt-oss: top-k of the softmax, then optional renormalisation).</summary>
    Softmax,

    /// <summary>Element-wise sigmoid (DeepSeek-V3, Llama-4, Nemotron-H).</summary>
    Sigmoid,
}

/// <summary>
/// The router's rule: how <c>[T, E]</c> logits become top-k expert ids and weights. Not part of a problem's
/// identity (<see cref="MoeShape"/>): routing is a shared primitive that a backend may fuse.
/// </summary>
/// <param name="Scoring">Softmax or sigmoid scores.</param>
/// <param name="Renormalize">Divide the chosen weights by their sum.</param>
/// <param name="Groups">Expert groups for grouped top-k (1: no grouping).</param>
/// <param name="TopKGroups">Groups kept before the final top-k (DeepSeek-V3: 4 of 8).</param>
/// <param name="UsesCorrectionBias">A per-expert bias is added to the scores for the choice only (DeepSeek-V3), not to the weights.</param>
/// <param name="RoutedScalingFactor">Multiplies the final weights (DeepSeek-V3: 2.5).</param>
public sealed record RoutingSpec(
    RouterScoring Scoring,
    bool Renormalize,
    int Groups = 1,
    int TopKGroups = 1,
    bool UsesCorrectionBias = false,
    double RoutedScalingFactor = 1.0)
{
    /// <summary>Softmax, then top-k, renormalised (Mixtral, Qwen3 with norm_topk_prob).</summary>
    public static RoutingSpec SoftmaxRenormalized { get; } = new(RouterScoring.Softmax, Renormalize: true);
}
