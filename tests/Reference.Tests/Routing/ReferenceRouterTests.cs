using CsCheck;
using MoeTune.Abstractions.Problems;
using MoeTune.Reference.Routing;

namespace MoeTune.Reference.Tests.Routing;

public class ReferenceRouterTests
{
    private static readonly RoutingSpec SoftmaxPlain = new(RouterScoring.Softmax, Renormalize: false);
    private static readonly RoutingSpec SigmoidBiased = new(RouterScoring.Sigmoid, Renormalize: false, UsesCorrectionBias: true);

    [Fact]
    public void Softmax_renormalised_weights_are_the_softmax_of_the_chosen_logits()
    {
        var result = ReferenceRouter.Route(RoutingSpec.SoftmaxRenormalized, [1f, 3f, 2f, 0f], tokens: 1, experts: 4, topK: 2);
        Assert.Equal([1, 2], result.Ids);
        var denominator = Math.Exp(3) + Math.Exp(2);
        Assert.Equal(Math.Exp(3) / denominator, result.Weights[0], 1e-7);
        Assert.Equal(Math.Exp(2) / denominator, result.Weights[1], 1e-7);
    }

    [Fact]
    public void Softmax_without_renormalisation_keeps_the_full_softmax_probabilities()
    {
        var result = ReferenceRouter.Route(SoftmaxPlain, [1f, 3f, 2f, 0f], tokens: 1, experts: 4, topK: 2);
        var total = Math.Exp(0) + Math.Exp(1) + Math.Exp(2) + Math.Exp(3);
        Assert.Equal([1, 2], result.Ids);
        Assert.Equal(Math.Exp(3) / total, result.Weights[0], 1e-7);
        Assert.Equal(Math.Exp(2) / total, result.Weights[1], 1e-7);
    }

    [Fact]
    public void GptOss_top_k_then_softmax_equals_softmax_then_renormalise() =>
        Gen.Select(Gen.Int[1, 6], Gen.Int[2, 40], Gen.Int[0, 1_000_000])
            .Select((tokens, experts, seed) => (tokens, experts, topK: 1 + (seed % Math.Min(experts, 8)), logits: Logits(tokens * experts, seed)))
            .Sample(c =>
            {
                var routed = ReferenceRouter.Route(RoutingSpec.SoftmaxRenormalized, c.logits, c.tokens, c.experts, c.topK);
                for (var t = 0; t < c.tokens; t++)
                {
                    // gpt-oss: the k largest logits (ties to the lower id), then a softmax over just those k.
                    var row = c.logits.AsSpan(t * c.experts, c.experts).ToArray();
                    var top = Enumerable.Range(0, c.experts).OrderByDescending(e => row[e]).ThenBy(e => e).Take(c.topK).ToArray();
                    var max = top.Max(e => (double)row[e]);
                    var denominator = top.Sum(e => Math.Exp(row[e] - max));
                    for (var j = 0; j < c.topK; j++)
                    {
                        Assert.Equal(top[j], routed.Ids[(t * c.topK) + j]);
                        Assert.Equal(Math.Exp(row[top[j]] - max) / denominator, routed.Weights[(t * c.topK) + j], 1e-6);
                    }
                }
            });

    [Fact]
    public void The_correction_bias_changes_the_choice_but_not_the_weights()
    {
        float[] logits = [0f, 0.1f, -0.1f, 2f];
        float[] bias = [0f, 0f, 1f, 0f];
        var result = ReferenceRouter.Route(SigmoidBiased, logits, 1, 4, 2, bias);
        Assert.Equal([2, 3], result.Ids); // selection scores 0.475 + 1 and 0.881
        Assert.Equal(Sigmoid(-0.1), result.Weights[0], 1e-7);
        Assert.Equal(Sigmoid(2), result.Weights[1], 1e-7);
    }

    [Fact]
    public void Grouped_top_k_ranks_groups_by_their_top_two_sum_and_excludes_the_rest()
    {
        // Groups of two: A = {0, 1} holds the single best expert, but its top-2 sum (0.953 + 0.047) loses to
        // B = {2, 3} (0.731 + 0.731) and C = {4, 5} (0.622 + 0.622). Kept: B and C, so expert 0 is out.
        var spec = new RoutingSpec(RouterScoring.Sigmoid, Renormalize: true, Groups: 4, TopKGroups: 2, UsesCorrectionBias: true, RoutedScalingFactor: 2.5);
        float[] logits = [3f, -3f, 1f, 1f, 0.5f, 0.5f, -1f, -1f];
        var result = ReferenceRouter.Route(spec, logits, 1, 8, 3, new float[8]);
        Assert.Equal([2, 3, 4], result.Ids);
        var sum = (2 * Sigmoid(1)) + Sigmoid(0.5);
        Assert.Equal(2.5 * Sigmoid(1) / sum, result.Weights[0], 1e-6);
        Assert.Equal(2.5 * Sigmoid(0.5) / sum, result.Weights[2], 1e-6);
    }

    [Fact]
    public void Grouped_top_k_ranks_groups_by_biased_scores()
    {
        // Without bias group B = {2, 3} wins; the bias lifts group A = {0, 1} above it.
        var spec = new RoutingSpec(RouterScoring.Sigmoid, Renormalize: true, Groups: 2, TopKGroups: 1, UsesCorrectionBias: true);
        float[] logits = [0f, 0f, 1f, 1f];
        Assert.Equal([2, 3], ReferenceRouter.Route(spec, logits, 1, 4, 2, new float[4]).Ids);
        Assert.Equal([0, 1], ReferenceRouter.Route(spec, logits, 1, 4, 2, [0.5f, 0.5f, 0f, 0f]).Ids);
    }

    [Fact]
    public void Renormalised_weights_sum_to_the_routed_scaling_factor()
    {
        var spec = new RoutingSpec(RouterScoring.Sigmoid, Renormalize: true, RoutedScalingFactor: 2.5);
        var result = ReferenceRouter.Route(spec, Logits(3 * 16, 7), 3, 16, 4);
        for (var t = 0; t < 3; t++)
        {
            Assert.Equal(2.5, result.Weights.AsSpan(t * 4, 4).ToArray().Sum(), 1e-6);
        }
    }

    [Fact]
    public void Llama4_sigmoid_top_1_keeps_the_sigmoid_of_the_best_logit()
    {
        var spec = new RoutingSpec(RouterScoring.Sigmoid, Renormalize: false);
        var result = ReferenceRouter.Route(spec, [-1f, 0.25f, 0.2f, 2f, -5f, 1.5f], tokens: 2, experts: 3, topK: 1);
        Assert.Equal([1, 0], result.Ids);
        Assert.Equal(Sigmoid(0.25), result.Weights[0], 1e-7);
        Assert.Equal(Sigmoid(2), result.Weights[1], 1e-7);
    }

    [Fact]
    public void Equal_scores_rank_the_lower_expert_id_first()
    {
        Assert.Equal([0, 1, 2], ReferenceRouter.Route(SoftmaxPlain, new float[6], 1, 6, 3).Ids);
        Assert.Equal([2, 5, 0], ReferenceRouter.Route(SoftmaxPlain, [0.5f, 0f, 1f, 0f, 0f, 1f], 1, 6, 3).Ids);

        // Ties in the biased selection score, reached from different logits, follow the same rule.
        var tied = ReferenceRouter.Route(SigmoidBiased, [0f, 0f, 0f], 1, 3, 2, [0.1f, 0.2f, 0.2f]);
        Assert.Equal([1, 2], tied.Ids);
    }

    [Fact]
    public void Equal_group_scores_keep_the_lower_group()
    {
        var spec = new RoutingSpec(RouterScoring.Softmax, Renormalize: true, Groups: 3, TopKGroups: 1);
        Assert.Equal([2, 3], ReferenceRouter.Route(spec, [0f, 0f, 1f, 1f, 1f, 1f], 1, 6, 2).Ids);
    }

    [Fact]
    public void Slots_are_ordered_by_descending_selection_score_and_nothing_better_is_left_out() =>
        Gen.Select(Gen.Int[2, 64], Gen.Int[0, 1_000_000]).Sample((experts, seed) =>
        {
            var topK = 1 + (seed % Math.Min(experts, 8));
            var logits = Logits(experts, seed);
            var bias = Logits(experts, seed + 1);
            var result = ReferenceRouter.Route(SigmoidBiased, logits, 1, experts, topK, bias);
            var selection = Enumerable.Range(0, experts).Select(e => Sigmoid(logits[e]) + bias[e]).ToArray();
            Assert.Equal(topK, result.Ids.Distinct().Count());
            for (var j = 1; j < topK; j++)
            {
                Assert.True(selection[result.Ids[j - 1]] >= selection[result.Ids[j]]);
            }

            var worstChosen = selection[result.Ids[^1]];
            Assert.All(Enumerable.Range(0, experts).Except(result.Ids), e => Assert.True(selection[e] <= worstChosen));
        });

    [Fact]
    public void Invalid_arguments_are_rejected_naming_the_argument()
    {
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => ReferenceRouter.Route(SoftmaxPlain, new float[7], 2, 4, 1)).ParamName);
        Assert.Equal("topK", Assert.Throws<ArgumentOutOfRangeException>(() => ReferenceRouter.Route(SoftmaxPlain, new float[4], 1, 4, 5)).ParamName);
        Assert.Equal("tokens", Assert.Throws<ArgumentOutOfRangeException>(() => ReferenceRouter.Route(SoftmaxPlain, [], 0, 4, 1)).ParamName);
        Assert.Equal("correctionBias", Assert.Throws<ArgumentException>(() => ReferenceRouter.Route(SoftmaxPlain, new float[4], 1, 4, 1, new float[4])).ParamName);
        Assert.Equal("correctionBias", Assert.Throws<ArgumentException>(() => ReferenceRouter.Route(SigmoidBiased, new float[4], 1, 4, 1)).ParamName);
        var grouped = new RoutingSpec(RouterScoring.Sigmoid, true, Groups: 3, TopKGroups: 1);
        Assert.Equal("spec", Assert.Throws<ArgumentException>(() => ReferenceRouter.Route(grouped, new float[4], 1, 4, 1)).ParamName);
        var tooFewGroups = new RoutingSpec(RouterScoring.Sigmoid, true, Groups: 4, TopKGroups: 1);
        Assert.Equal("spec", Assert.Throws<ArgumentException>(() => ReferenceRouter.Route(tooFewGroups, new float[8], 1, 8, 3)).ParamName);

        float[] withNaN = [0f, 0f, 0f, 0f, 0f, float.NaN];
        var error = Assert.Throws<ArgumentException>(() => ReferenceRouter.Route(SoftmaxPlain, withNaN, 2, 3, 1));
        Assert.Contains("token 1, expert 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RoutingResult_checks_its_array_lengths()
    {
        Assert.Equal("Ids", Assert.Throws<ArgumentException>(() => new RoutingResult(2, 2, new int[3], new float[4])).ParamName);
        Assert.Equal("Weights", Assert.Throws<ArgumentException>(() => new RoutingResult(2, 2, new int[4], new float[5])).ParamName);
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static float[] Logits(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 6) - 3)).ToArray();
    }
}
