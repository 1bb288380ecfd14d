using MoeTune.Reference.Formats;
using MoeTune.Reference.Routing;
using MoeTune.Reference.Synthetic;

namespace MoeTune.Reference.Tests.Synthetic;

public class SyntheticInputsTests
{
    public static TheoryData<string> Distributions() => ["uniform", "zipf", "single"];

    [Fact]
    public void Hidden_states_are_seeded_standard_normal_bf16()
    {
        var hidden = SyntheticInputs.HiddenStates(100, 1000, 5);
        Assert.Equal(100_000, hidden.Length);
        Assert.Equal(hidden, SyntheticInputs.HiddenStates(100, 1000, 5));
        Assert.NotEqual(hidden, SyntheticInputs.HiddenStates(100, 1000, 6));
        var values = hidden.Select(b => (double)Bf16.ToFloat(b)).ToArray();
        Assert.Equal(0, values.Average(), 0.02);
        Assert.Equal(1, Math.Sqrt(values.Average(v => v * v)), 0.02);
        Assert.InRange(values.Count(v => Math.Abs(v) > 3) / 100_000.0, 0.001, 0.005); // 0.27% beyond 3σ
    }

    [Fact]
    public void Router_logits_are_seeded_standard_normal()
    {
        var logits = SyntheticInputs.RouterLogits(64, 128, 9);
        Assert.Equal(64 * 128, logits.Length);
        Assert.Equal(logits, SyntheticInputs.RouterLogits(64, 128, 9));
        Assert.Equal(1, Math.Sqrt(logits.Average(v => (double)v * v)), 0.05);
    }

    [Theory]
    [MemberData(nameof(Distributions))]
    public void Every_draw_has_distinct_valid_experts_and_descending_weights_summing_to_one(string name)
    {
        var routing = SyntheticInputs.DrawRouting(Distribution(name), tokens: 300, experts: 64, topK: 8, seed: 1);
        Assert.Equal(300, routing.Tokens);
        Assert.Equal(8, routing.TopK);
        for (var t = 0; t < 300; t++)
        {
            var ids = routing.Ids.AsSpan(t * 8, 8).ToArray();
            var weights = routing.Weights.AsSpan(t * 8, 8).ToArray();
            Assert.Equal(8, ids.Distinct().Count());
            Assert.All(ids, id => Assert.InRange(id, 0, 63));
            Assert.All(weights, w => Assert.True(w > 0));
            Assert.Equal(1.0, weights.Sum(w => (double)w), 1e-6);
            Assert.Equal(weights.OrderByDescending(w => w), weights);
        }
    }

    [Theory]
    [MemberData(nameof(Distributions))]
    public void Draws_are_fixed_by_the_seed(string name)
    {
        var a = SyntheticInputs.DrawRouting(Distribution(name), 50, 32, 4, 7);
        var b = SyntheticInputs.DrawRouting(Distribution(name), 50, 32, 4, 7);
        var c = SyntheticInputs.DrawRouting(Distribution(name), 50, 32, 4, 8);
        Assert.Equal(a.Ids, b.Ids);
        Assert.Equal(a.Weights, b.Weights);
        Assert.NotEqual(a.Weights, c.Weights);
    }

    [Fact]
    public void Uniform_spreads_load_evenly_and_zipf_concentrates_it()
    {
        var uniform = Loads(SyntheticInputs.DrawRouting(RoutingDistribution.Uniform, 4000, 64, 4, 2), 64);
        var zipf = Loads(SyntheticInputs.DrawRouting(RoutingDistribution.Zipf(1.2), 4000, 64, 4, 2), 64);

        // 16,000 picks over 64 experts: 250 each on average, binomial spread ~15.
        Assert.InRange(uniform.Min(), 180, 250);
        Assert.InRange(uniform.Max(), 250, 320);

        // With s = 1.2 the hottest expert is in nearly every token's top-4 and the coldest are rare.
        Assert.True(zipf.Max() > 3000, $"hottest expert took {zipf.Max()} of 16000");
        Assert.True(zipf.Min() < 100, $"coldest expert took {zipf.Min()}");
    }

    [Fact]
    public void Single_expert_puts_every_token_on_the_same_hot_expert_first()
    {
        var routing = SyntheticInputs.DrawRouting(RoutingDistribution.SingleExpert, 20, 16, 3, 4);
        var first = routing.Ids[..3];
        Assert.Equal((first[0] + 1) % 16, first[1]);
        Assert.Equal((first[0] + 2) % 16, first[2]);
        for (var t = 0; t < 20; t++)
        {
            Assert.Equal(first, routing.Ids.AsSpan(t * 3, 3).ToArray());
        }
    }

    [Fact]
    public void Invalid_requests_are_rejected()
    {
        Assert.Equal("topK", Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticInputs.DrawRouting(RoutingDistribution.Uniform, 1, 4, 5, 0)).ParamName);
        Assert.Equal("tokens", Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticInputs.DrawRouting(RoutingDistribution.Uniform, 0, 4, 1, 0)).ParamName);
        Assert.Equal("exponent", Assert.Throws<ArgumentOutOfRangeException>(() => RoutingDistribution.Zipf(-1)).ParamName);
        Assert.Equal("exponent", Assert.Throws<ArgumentOutOfRangeException>(() => RoutingDistribution.Zipf(double.NaN)).ParamName);
        Assert.Equal("hidden", Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticInputs.HiddenStates(1, 0, 0)).ParamName);
    }

    [Fact]
    public void Distributions_have_short_names()
    {
        Assert.Equal("uniform", RoutingDistribution.Uniform.ToString());
        Assert.Equal("zipf(1.2)", RoutingDistribution.Zipf(1.2).ToString());
        Assert.Equal("single-expert", RoutingDistribution.SingleExpert.ToString());
    }

    private static RoutingDistribution Distribution(string name) => name switch
    {
        "uniform" => RoutingDistribution.Uniform,
        "zipf" => RoutingDistribution.Zipf(1.1),
        _ => RoutingDistribution.SingleExpert,
    };

    private static int[] Loads(RoutingResult routing, int experts)
    {
        var loads = new int[experts];
        foreach (var id in routing.Ids)
        {
            loads[id]++;
        }

        return loads;
    }
}
