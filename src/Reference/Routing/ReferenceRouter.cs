using MoeTune.Abstractions.Problems;

namespace MoeTune.Reference.Routing;

/// <summary>
/// The reference router: [T, E] logits to top-k expert ids and weights, in float64, with a deterministic tie rule
/// that the GPU routing primitive must reproduce.
/// <para>Per token:</para>
/// <list type="number">
/// <item>Scores: softmax over all E logits, or element-wise sigmoid (<see cref="RoutingSpec.Scoring"/>).</item>
/// <item>Selection scores: the scores plus the per-expert correction bias where
/// <see cref="RoutingSpec.UsesCorrectionBias"/> (DeepSeek-V3); the bias changes the choice, never the weights.</item>
/// <item>Grouped top-k (<see cref="RoutingSpec.Groups"/> &gt; 1): experts split into equal consecutive groups; a group's
/// score is the sum of its two largest selection scores (its only one for groups of one expert), as DeepSeek-V3
/// does (DeepSeek-V2's per-group maximum is not modelled); the <see cref="RoutingSpec.TopKGroups"/> best groups stay
/// eligible and the others are excluded.</item>
/// <item>Top-k of the eligible selection scores.</item>
/// <item>Weights: the chosen experts' scores (without bias), divided by their sum where
/// <see cref="RoutingSpec.Renormalize"/>, times <see cref="RoutingSpec.RoutedScalingFactor"/>, rounded to float.</item>
/// </list>
/// <para>
/// Ties: equal (selection or group) scores rank the lower expert (or group) id first. Output slots are ordered by
/// descending selection score, so slot 0 holds the best expert. Softmax and sigmoid are strictly increasing, so without
/// a bias or grouping the choice equals the top-k of the raw logits with the same tie rule; equal logits give equal
/// scores and distinct float logits never collide in float64, which lets a GPU choose on logits and match bit for bit.
/// </para>
/// <para>
/// gpt-oss takes the top-k of the logits, then a softmax over those k. That is softmax followed by renormalisation:
/// exp(l_i − m) / Σ_chosen exp(l_j − m) is the same ratio whatever the normaliser, so use
/// <see cref="RoutingSpec.SoftmaxRenormalized"/>. Mixtral is the same; Qwen3-MoE is softmax with or without
/// renormalisation (norm_topk_prob); Llama-4 is sigmoid top-1 without renormalisation.
/// </para>
/// </summary>
public static class ReferenceRouter
{
    /// <summary>
    /// Routes <paramref name="tokens"/> tokens whose [tokens, experts] logits are row-major in <paramref name="logits"/>;
    /// <paramref name="correctionBias"/> holds E per-expert biases where the spec uses them and is empty otherwise.
    /// Logits and biases must be finite.
    /// </summary>
    public static RoutingResult Route(
        RoutingSpec spec,
        ReadOnlySpan<float> logits,
        int tokens,
        int experts,
        int topK,
        ReadOnlySpan<float> correctionBias = default)
    {
        Validate(spec, logits, tokens, experts, topK, correctionBias);
        var ids = new int[tokens * topK];
        var weights = new float[tokens * topK];
        var scores = new double[experts];
        var selection = new double[experts];
        var eligible = new bool[experts];
        for (var t = 0; t < tokens; t++)
        {
            var row = logits.Slice(t * experts, experts);
            Score(spec.Scoring, row, scores);
            for (var e = 0; e < experts; e++)
            {
                selection[e] = spec.UsesCorrectionBias ? scores[e] + correctionBias[e] : scores[e];
            }

            MarkEligible(spec, selection, eligible);
            var tokenIds = ids.AsSpan(t * topK, topK);
            TopKSelection.Select(selection, eligible, tokenIds);
            WriteWeights(spec, scores, tokenIds, weights.AsSpan(t * topK, topK));
        }

        return new RoutingResult(tokens, topK, ids, weights);
    }

    private static void Score(RouterScoring scoring, ReadOnlySpan<float> logits, Span<double> scores)
    {
        switch (scoring)
        {
            case RouterScoring.Softmax:
                double max = double.NegativeInfinity;
                foreach (var logit in logits)
                {
                    max = Math.Max(max, logit);
                }

                double sum = 0;
                for (var e = 0; e < logits.Length; e++)
                {
                    scores[e] = Math.Exp(logits[e] - max);
                    sum += scores[e];
                }

                for (var e = 0; e < logits.Length; e++)
                {
                    scores[e] /= sum;
                }

                break;
            case RouterScoring.Sigmoid:
                for (var e = 0; e < logits.Length; e++)
                {
                    scores[e] = 1.0 / (1.0 + Math.Exp(-(double)logits[e]));
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(scoring), scoring, "unknown router scoring");
        }
    }

    private static void MarkEligible(RoutingSpec spec, ReadOnlySpan<double> selection, Span<bool> eligible)
    {
        if (spec.Groups == 1)
        {
            eligible.Fill(true);
            return;
        }

        var groupSize = selection.Length / spec.Groups;
        Span<double> groupScores = stackalloc double[spec.Groups];
        for (var g = 0; g < spec.Groups; g++)
        {
            groupScores[g] = SumOfTopTwo(selection.Slice(g * groupSize, groupSize));
        }

        Span<int> keptGroups = stackalloc int[spec.TopKGroups];
        TopKSelection.Select(groupScores, eligible: default, keptGroups);
        eligible.Clear();
        foreach (var g in keptGroups)
        {
            eligible.Slice(g * groupSize, groupSize).Fill(true);
        }
    }

    private static double SumOfTopTwo(ReadOnlySpan<double> group)
    {
        if (group.Length == 1)
        {
            return group[0];
        }

        double first = double.NegativeInfinity, second = double.NegativeInfinity;
        foreach (var score in group)
        {
            if (score > first)
            {
                (first, second) = (score, first);
            }
            else if (score > second)
            {
                second = score;
            }
        }

        return first + second;
    }

    private static void WriteWeights(RoutingSpec spec, ReadOnlySpan<double> scores, ReadOnlySpan<int> ids, Span<float> weights)
    {
        double sum = 0;
        foreach (var id in ids)
        {
            sum += scores[id];
        }

        var factor = spec.RoutedScalingFactor / (spec.Renormalize ? sum : 1.0);
        for (var j = 0; j < ids.Length; j++)
        {
            weights[j] = (float)(scores[ids[j]] * factor);
        }
    }

    private static void Validate(RoutingSpec spec, ReadOnlySpan<float> logits, int tokens, int experts, int topK, ReadOnlySpan<float> correctionBias)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokens);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(experts);
        if (topK <= 0 || topK > experts)
        {
            throw new ArgumentOutOfRangeException(nameof(topK), topK, $"top-k must lie in 1..{experts}");
        }

        if (spec.Groups < 1 || experts % spec.Groups != 0 || spec.TopKGroups < 1 || spec.TopKGroups > spec.Groups
            || topK > spec.TopKGroups * (experts / spec.Groups))
        {
            throw new ArgumentException(
                $"{spec.Groups} groups keeping {spec.TopKGroups} cannot route top-{topK} of {experts} experts", nameof(spec));
        }

        if (!double.IsFinite(spec.RoutedScalingFactor) || spec.RoutedScalingFactor <= 0)
        {
            throw new ArgumentException($"the routed scaling factor must be positive and finite, got {spec.RoutedScalingFactor}", nameof(spec));
        }

        if (logits.Length != (long)tokens * experts)
        {
            throw new ArgumentException($"expected {(long)tokens * experts} logits ([{tokens}, {experts}]), got {logits.Length}", nameof(logits));
        }

        var bad = logits.IndexOfAnyExceptInRange(float.MinValue, float.MaxValue);
        if (bad >= 0)
        {
            throw new ArgumentException($"logit of token {bad / experts}, expert {bad % experts} is {logits[bad]}; logits must be finite", nameof(logits));
        }

        var expectedBias = spec.UsesCorrectionBias ? experts : 0;
        if (correctionBias.Length != expectedBias)
        {
            throw new ArgumentException(
                spec.UsesCorrectionBias
                    ? $"the spec uses a correction bias: expected {experts} values, got {correctionBias.Length}"
                    : $"the spec uses no correction bias, but {correctionBias.Length} values were given",
                nameof(correctionBias));
        }

        bad = correctionBias.IndexOfAnyExceptInRange(float.MinValue, float.MaxValue);
        if (bad >= 0)
        {
            throw new ArgumentException($"correction bias of expert {bad} is {correctionBias[bad]}; it must be finite", nameof(correctionBias));
        }
    }
}
