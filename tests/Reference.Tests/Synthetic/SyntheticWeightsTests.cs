using MoeTune.Abstractions.Problems;
using MoeTune.Reference.Formats;
using MoeTune.Reference.Layer;
using MoeTune.Reference.Synthetic;

namespace MoeTune.Reference.Tests.Synthetic;

public class SyntheticWeightsTests
{
    [Theory]
    [InlineData(WeightFormat.Bf16)]
    [InlineData(WeightFormat.Fp8)]
    [InlineData(WeightFormat.Nvfp4)]
    [InlineData(WeightFormat.Mxfp4)]
    public void The_same_seed_gives_the_same_bytes(WeightFormat format)
    {
        var shape = new MoeShape(4, 2, 64, 32, Activation.SwiGlu, format);
        var a = SyntheticWeights.Generate(shape, 7);
        var b = SyntheticWeights.Generate(shape, 7);
        var c = SyntheticWeights.Generate(shape, 8);
        for (var e = 0; e < 4; e++)
        {
            Assert.Equal(a.Experts[e].W13.Data, b.Experts[e].W13.Data);
            Assert.Equal(a.Experts[e].W13.Scales, b.Experts[e].W13.Scales);
            Assert.Equal(a.Experts[e].W2.Data, b.Experts[e].W2.Data);
            Assert.NotEqual(a.Experts[e].W13.Data, c.Experts[e].W13.Data);
        }
    }

    [Fact]
    public void Each_expert_depends_only_on_the_seed_and_its_index_not_on_scheduling()
    {
        // Generated in parallel with 4 or 12 experts in flight, expert e's weights are the same.
        var four = SyntheticWeights.Generate(new MoeShape(4, 2, 64, 32, Activation.SwiGlu, WeightFormat.Nvfp4), 3);
        var twelve = SyntheticWeights.Generate(new MoeShape(12, 2, 64, 32, Activation.SwiGlu, WeightFormat.Nvfp4), 3);
        for (var e = 0; e < 4; e++)
        {
            Assert.Equal(four.Experts[e].W13.Data, twelve.Experts[e].W13.Data);
            Assert.Equal(four.Experts[e].W2.Scales, twelve.Experts[e].W2.Scales);
        }

        Assert.NotEqual(twelve.Experts[0].W13.Data, twelve.Experts[1].W13.Data);
    }

    [Fact]
    public void Weights_are_fan_in_scaled()
    {
        var shape = new MoeShape(2, 1, 512, 256, Activation.SwiGlu, WeightFormat.Bf16);
        var weights = SyntheticWeights.Generate(shape, 1);
        var w13 = WeightCodec.Dequantize(weights.Experts[0].W13);
        var w2 = WeightCodec.Dequantize(weights.Experts[0].W2);
        // Within 2% of 1/sqrt(fan_in); the estimate from 10^5 samples is good to about 0.2%.
        Assert.Equal(1 / Math.Sqrt(512), StandardDeviation(w13), 0.02 / Math.Sqrt(512));
        Assert.Equal(1 / Math.Sqrt(256), StandardDeviation(w2), 0.02 / Math.Sqrt(256));
        Assert.Equal(0, w13.Average(), 0.01 / Math.Sqrt(512));
    }

    [Theory]
    [InlineData(Activation.SwiGlu, WeightFormat.Nvfp4)]
    [InlineData(Activation.ClampedSwiGlu, WeightFormat.Mxfp4)]
    [InlineData(Activation.ReluSquared, WeightFormat.Fp8)]
    public void Unit_scale_hidden_states_give_outputs_of_order_one(Activation activation, WeightFormat format)
    {
        var shape = new MoeShape(8, 2, 256, 128, activation, format);
        var layer = new ReferenceMoeLayer(SyntheticWeights.Generate(shape, 1));
        var routing = SyntheticInputs.DrawRouting(RoutingDistribution.Uniform, 16, 8, 2, 2);
        var y = layer.Forward(SyntheticInputs.HiddenStates(16, 256, 3), routing.Ids, routing.Weights, 16);
        Assert.InRange(Math.Sqrt(y.Average(v => v * v)), 0.1, 3);
    }

    [Fact]
    public void Only_gpt_oss_activations_get_biases_of_the_documented_scale()
    {
        var clamped = SyntheticWeights.Generate(new MoeShape(2, 1, 256, 128, Activation.ClampedSwiGlu, WeightFormat.Mxfp4), 1);
        var bias = clamped.Experts[0].Bias13!.Concat(clamped.Experts[0].Bias2!).Select(b => (double)b).ToArray();
        Assert.Equal(SyntheticWeights.BiasSigma, StandardDeviation(bias), 0.02);

        var plain = SyntheticWeights.Generate(new MoeShape(2, 1, 64, 32, Activation.SwiGlu, WeightFormat.Mxfp4), 1);
        Assert.Null(plain.Experts[0].Bias13);
        Assert.Null(plain.Experts[0].Bias2);
    }

    private static double StandardDeviation(IReadOnlyCollection<float> values) => StandardDeviation(values.Select(v => (double)v).ToArray());

    private static double StandardDeviation(double[] values)
    {
        var mean = values.Average();
        return Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
    }
}
