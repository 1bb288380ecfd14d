using MoeTune.Models;
using MoeTune.Reference.Routing;

namespace MoeTune.Gpu.Tests.Infrastructure;

/// <summary>The routings layers are tested under.</summary>
public enum TestRouting
{
    /// <summary>The preset's own router (softmax or sigmoid top-k, groups, bias, scaling) over random logits.</summary>
    Router,

    /// <summary>Slot 0 of every token on one expert (with top-1, every token on it); the other slots distinct and random.</summary>
    OneExpert,

    /// <summary>Ids drawn with replacement, so a token may pick an expert twice (the contract allows it).</summary>
    Repeats,
}

/// <summary>Draws top-k ids [T, k] and weights [T, k] for a <see cref="TestRouting"/>.</summary>
public static class TestRoutings
{
    public static (int[] Ids, float[] Weights) Draw(TestRouting routing, ModelSpec model, int tokens, Random random)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(random);
        var (experts, topK) = (model.Shape.Experts, model.Shape.TopK);
        if (routing == TestRouting.Router)
        {
            var logits = TestInputs.Normal(random, tokens * experts, sigma: 2.0);
            var bias = model.Routing.UsesCorrectionBias ? TestInputs.Normal(random, experts, sigma: 0.05) : [];
            var routed = ReferenceRouter.Route(model.Routing, logits, tokens, experts, topK, bias);
            return (routed.Ids, routed.Weights);
        }

        var ids = new int[tokens * topK];
        var weights = new float[tokens * topK];
        var favourite = random.Next(experts);
        for (var t = 0; t < tokens; t++)
        {
            var row = ids.AsSpan(t * topK, topK);
            if (routing == TestRouting.Repeats)
            {
                for (var j = 0; j < topK; j++) row[j] = random.Next(experts);
            }
            else
            {
                row[0] = favourite;
                var others = Enumerable.Range(0, experts).Where(e => e != favourite).OrderBy(_ => random.Next()).Take(topK - 1).ToArray();
                others.CopyTo(row[1..]);
            }

            var raw = Enumerable.Range(0, topK).Select(_ => 0.05 + random.NextDouble()).ToArray();
            for (var j = 0; j < topK; j++) weights[(t * topK) + j] = (float)(raw[j] / raw.Sum());
        }

        return (ids, weights);
    }
}
