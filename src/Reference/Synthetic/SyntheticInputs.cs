using MoeTune.Reference.Formats;
using MoeTune.Reference.Routing;

namespace MoeTune.Reference.Synthetic;

/// <summary>
/// Seeded inputs for tests and benchmarks: hidden states, router logits and routing draws. Routing draws use scalar
/// arithmetic only (integers, IEEE basic operations, Math.Log, Math.Exp, Math.Cos), so in practice a seed gives the
/// same routing on any machine; hidden states and logits come from vectorised functions (see NormalFill) and are
/// reproducible on one machine.
/// </summary>
public static class SyntheticInputs
{
    /// <summary>[tokens, hidden] bf16 hidden states drawn N(0, 1), then rounded to bf16.</summary>
    public static ushort[] HiddenStates(int tokens, int hidden, int seed)
    {
        var values = Normal(tokens, hidden, seed, nameof(hidden));
        var bf16 = new ushort[values.Length];
        Bf16.FromFloat(values, bf16);
        return bf16;
    }

    /// <summary>[tokens, experts] router logits drawn N(0, 1).</summary>
    public static float[] RouterLogits(int tokens, int experts, int seed) => Normal(tokens, experts, seed, nameof(experts));

    /// <summary>
    /// A routing for <paramref name="tokens"/> tokens: each token gets <paramref name="topK"/> distinct experts drawn
    /// without replacement from <paramref name="distribution"/>, and positive weights summing to 1 (a softmax of k
    /// N(0, 1) draws) in descending order. For <see cref="RoutingDistributionKind.SingleExpert"/> every token gets
    /// the same experts: a seeded hot expert h in slot 0 and h+1, …, h+k−1 (mod E) after it.
    /// </summary>
    public static RoutingResult DrawRouting(RoutingDistribution distribution, int tokens, int experts, int topK, int seed)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokens);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(experts);
        if (topK <= 0 || topK > experts)
        {
            throw new ArgumentOutOfRangeException(nameof(topK), topK, $"top-k must lie in 1..{experts}");
        }

        var random = new Xoshiro256StarStar(seed, RoutingStream);
        var ids = new int[tokens * topK];
        var sampler = ExpertSampler.For(distribution, experts, ref random);
        for (var t = 0; t < tokens; t++)
        {
            sampler.Draw(ref random, ids.AsSpan(t * topK, topK));
        }

        var weights = new float[tokens * topK];
        for (var t = 0; t < tokens; t++)
        {
            DrawWeights(ref random, weights.AsSpan(t * topK, topK));
        }

        return new RoutingResult(tokens, topK, ids, weights);
    }

    private const int RoutingStream = 1;

    private static void DrawWeights(ref Xoshiro256StarStar random, Span<float> weights)
    {
        Span<double> exps = stackalloc double[weights.Length];
        double sum = 0;
        for (var j = 0; j < exps.Length; j++)
        {
            exps[j] = Math.Exp(random.NextNormal());
            sum += exps[j];
        }

        exps.Sort((a, b) => b.CompareTo(a));
        for (var j = 0; j < exps.Length; j++)
        {
            weights[j] = (float)(exps[j] / sum);
        }
    }

    private static float[] Normal(int tokens, int width, int seed, string widthName)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokens);
        if (width <= 0)
        {
            throw new ArgumentOutOfRangeException(widthName, width, "must be positive");
        }

        var random = new Xoshiro256StarStar(seed);
        var values = new float[tokens * width];
        NormalFill.Fill(ref random, values, 1f);
        return values;
    }
}
