using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;
using MoeTune.Reference.Formats;
using MoeTune.Reference.Layer;
using MoeTune.Reference.Routing;
using MoeTune.Reference.Synthetic;

namespace MoeTune.Reference.Tests.Layer;

public class ReferenceMoeLayerTests
{
    public static TheoryData<WeightFormat, Activation> EveryFormatAndActivation()
    {
        var data = new TheoryData<WeightFormat, Activation>();
        foreach (var format in WeightFormats.All)
        {
            foreach (var activation in Activations.All)
            {
                data.Add(format, activation);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryFormatAndActivation))]
    public void Matches_the_naive_layer_on_small_random_problems(WeightFormat format, Activation activation)
    {
        var shape = new MoeShape(experts: 6, topK: 3, hidden: 64, intermediate: 96, activation, format);
        var weights = SyntheticWeights.Generate(shape, seed: 11);
        const int Tokens = 7;
        var hidden = SyntheticInputs.HiddenStates(Tokens, shape.Hidden, seed: 12);
        var routing = SyntheticInputs.DrawRouting(RoutingDistribution.Zipf(1.0), Tokens, shape.Experts, shape.TopK, seed: 13);

        var y = new ReferenceMoeLayer(weights).Forward(hidden, routing.Ids, routing.Weights, Tokens);
        var expected = NaiveMoeLayer.Forward(weights, hidden, routing.Ids, routing.Weights, Tokens);

        // Both sum exact float64 products, in different orders and with the global scale applied at different
        // points, so they agree to a few float64 ulps of the sums' magnitudes.
        var scale = Math.Sqrt(expected.Average(v => v * v));
        Assert.InRange(scale, 0.01, 10);
        for (var i = 0; i < y.Length; i++)
        {
            Assert.True(Math.Abs(y[i] - expected[i]) <= 1e-12 * scale, $"y[{i}] = {y[i]}, naive {expected[i]}");
        }
    }

    [Fact]
    public void W13_holds_the_gate_rows_first_then_the_up_rows()
    {
        // One expert, H = 2, I = 1: the gate row reads x0 and the up row reads x1, so y = [h, 2h] with h = silu(x0)·x1.
        var shape = new MoeShape(1, 1, 2, 1, Activation.SwiGlu, WeightFormat.Bf16);
        var layer = Layer(shape, w13: [1f, 0f, 0f, 1f], w2: [1f, 2f]);
        var y = layer.Forward([Bf16.FromFloat(1f), Bf16.FromFloat(2f)], [0], [1f], 1);
        var h = Bf16.ToFloat(Bf16.FromDouble(1.0 / (1 + Math.Exp(-1)) * 2));
        Assert.Equal([h, 2.0 * h], y);
    }

    [Fact]
    public void Clamped_SwiGLU_clamps_adds_one_to_up_and_applies_biases()
    {
        var shape = new MoeShape(1, 1, 2, 1, Activation.ClampedSwiGlu, WeightFormat.Bf16);
        var expert = new ExpertWeights(
            Bf16Matrix.FromFloat([1f, 0f, 0f, 1f], 2, 2),
            Bf16Matrix.FromFloat([1f, 1f], 2, 1),
            Bias13: [0.5f, 0f],
            Bias2: [0f, 0.25f]);
        var layer = new ReferenceMoeLayer(new MoeWeights(shape, [expert]));
        var y = layer.Forward([Bf16.FromFloat(10f), Bf16.FromFloat(-10f)], [0], [0.5f], 1);

        // gate = min(10 + 0.5, 7) = 7, up = clamp(−10, −7, 7) = −7: h = 7·sigmoid(1.702·7)·(−7 + 1).
        var h = Bf16.ToFloat(Bf16.FromDouble(7 / (1 + Math.Exp(-1.702 * 7)) * -6));
        Assert.Equal([0.5 * h, 0.5 * (h + 0.25)], y);
    }

    [Fact]
    public void ReluSquared_reads_a_single_W13_row_per_feature()
    {
        var shape = new MoeShape(1, 1, 2, 1, Activation.ReluSquared, WeightFormat.Bf16);
        var layer = Layer(shape, w13: [1f, -1f], w2: [1f, -1f]);
        Assert.Equal([9.0, -9.0], layer.Forward([Bf16.FromFloat(1f), Bf16.FromFloat(-2f)], [0], [1f], 1));
        Assert.Equal([0.0, 0.0], layer.Forward([Bf16.FromFloat(-1f), Bf16.FromFloat(2f)], [0], [1f], 1));
    }

    [Fact]
    public void The_bf16_overload_rounds_the_float64_result_once()
    {
        var (layer, hidden, routing) = Problem(WeightFormat.Nvfp4, Activation.SwiGlu, tokens: 5);
        var y = layer.Forward(hidden, routing.Ids, routing.Weights, 5);
        var bf16 = new ushort[y.Length];
        layer.Forward(hidden, routing.Ids, routing.Weights, 5, bf16);
        Assert.Equal(y.Select(Bf16.FromDouble), bf16);
    }

    [Fact]
    public void Results_do_not_depend_on_the_thread_count()
    {
        var shape = new MoeShape(16, 4, 128, 96, Activation.SwiGlu, WeightFormat.Mxfp4);
        var weights = SyntheticWeights.Generate(shape, 3);
        var hidden = SyntheticInputs.HiddenStates(40, shape.Hidden, 4);
        var routing = SyntheticInputs.DrawRouting(RoutingDistribution.Uniform, 40, shape.Experts, shape.TopK, 5);
        var one = new ReferenceMoeLayer(weights, maxDegreeOfParallelism: 1).Forward(hidden, routing.Ids, routing.Weights, 40);
        var three = new ReferenceMoeLayer(weights, maxDegreeOfParallelism: 3).Forward(hidden, routing.Ids, routing.Weights, 40);
        var all = new ReferenceMoeLayer(weights).Forward(hidden, routing.Ids, routing.Weights, 40);
        Assert.Equal(one, three);
        Assert.Equal(one, all);
    }

    [Fact]
    public void A_tokens_result_does_not_depend_on_the_other_tokens_in_the_batch()
    {
        // Token 0 alone, and sharing its experts with many others (so its dots run in the four-at-a-time kernel).
        var (layer, hidden, routing) = Problem(WeightFormat.Nvfp4, Activation.SwiGlu, tokens: 9);
        var sameExperts = Enumerable.Range(0, 9).SelectMany(_ => routing.Ids[..3]).ToArray();
        var sameWeights = Enumerable.Range(0, 9).SelectMany(_ => routing.Weights[..3]).ToArray();
        var batch = layer.Forward(hidden, sameExperts, sameWeights, 9);
        var alone = layer.Forward(hidden.AsSpan(0, 64), routing.Ids.AsSpan(0, 3), routing.Weights.AsSpan(0, 3), 1);
        Assert.Equal(alone, batch[..64]);
    }

    [Fact]
    public void NaN_and_infinity_propagate_without_an_exception()
    {
        var (layer, hidden, routing) = Problem(WeightFormat.Fp8, Activation.SwiGlu, tokens: 3);
        hidden[70] = Bf16.FromFloat(float.NaN); // token 1
        var weights = routing.Weights.ToArray();
        weights[6] = float.PositiveInfinity; // token 2, slot 0
        var y = layer.Forward(hidden, routing.Ids, weights, 3);
        Assert.All(y[..64], v => Assert.True(double.IsFinite(v)));
        Assert.All(y[64..128], v => Assert.True(double.IsNaN(v)));
        Assert.All(y[128..], v => Assert.False(double.IsFinite(v)));
    }

    [Fact]
    public void Invalid_arguments_are_rejected_naming_the_argument()
    {
        var (layer, hidden, routing) = Problem(WeightFormat.Bf16, Activation.SwiGlu, tokens: 2);
        Assert.Equal("tokens", Assert.Throws<ArgumentOutOfRangeException>(() => layer.Forward(hidden, routing.Ids, routing.Weights, 0)).ParamName);
        Assert.Equal("hiddenBf16", Assert.Throws<ArgumentException>(() => layer.Forward(hidden.AsSpan(1), routing.Ids, routing.Weights, 2)).ParamName);
        Assert.Equal("topKIds", Assert.Throws<ArgumentException>(() => layer.Forward(hidden, routing.Ids.AsSpan(1), routing.Weights, 2)).ParamName);
        Assert.Equal("topKWeights", Assert.Throws<ArgumentException>(() => layer.Forward(hidden, routing.Ids, routing.Weights.AsSpan(1), 2)).ParamName);
        Assert.Equal("outputBf16", Assert.Throws<ArgumentException>(() => layer.Forward(hidden, routing.Ids, routing.Weights, 2, new ushort[3])).ParamName);

        var badIds = routing.Ids.ToArray();
        badIds[4] = 6;
        var error = Assert.Throws<ArgumentException>(() => layer.Forward(hidden, badIds, routing.Weights, 2));
        Assert.Equal("topKIds", error.ParamName);
        Assert.Contains("token 1, slot 1", error.Message, StringComparison.Ordinal);
        badIds[4] = -1;
        Assert.Equal("topKIds", Assert.Throws<ArgumentException>(() => layer.Forward(hidden, badIds, routing.Weights, 2)).ParamName);
    }

    private static (ReferenceMoeLayer Layer, ushort[] Hidden, RoutingResult Routing) Problem(WeightFormat format, Activation activation, int tokens)
    {
        var shape = new MoeShape(6, 3, 64, 32, activation, format);
        var layer = new ReferenceMoeLayer(SyntheticWeights.Generate(shape, 1));
        return (layer, SyntheticInputs.HiddenStates(tokens, shape.Hidden, 2), SyntheticInputs.DrawRouting(RoutingDistribution.Uniform, tokens, shape.Experts, shape.TopK, 3));
    }

    private static ReferenceMoeLayer Layer(MoeShape shape, float[] w13, float[] w2) =>
        new(new MoeWeights(shape, [new ExpertWeights(Bf16Matrix.FromFloat(w13, shape.W13Rows, shape.Hidden), Bf16Matrix.FromFloat(w2, shape.Hidden, shape.Intermediate))]));
}
