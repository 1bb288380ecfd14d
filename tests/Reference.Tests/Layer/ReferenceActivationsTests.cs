using MoeTune.Abstractions.Problems;
using MoeTune.Reference.Layer;

namespace MoeTune.Reference.Tests.Layer;

public class ReferenceActivationsTests
{
    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(1.0, 0.7310585786300049)]
    [InlineData(-1.0, -0.2689414213699951)]
    [InlineData(20.0, 19.999999958776925)]
    public void Silu_is_x_times_sigmoid_x(double x, double expected) => Assert.Equal(expected, ReferenceActivations.Silu(x), 1e-15);

    [Theory]
    [InlineData(2.0, 3.0, 5.284782467867295)] // silu(2)·3
    [InlineData(-1.0, 2.0, -0.5378828427399902)]
    public void SwiGlu_gates_up_with_silu(double gate, double up, double expected) => Assert.Equal(expected, ReferenceActivations.SwiGlu(gate, up), 1e-14);

    [Theory]
    [InlineData(3.0, 9.0)]
    [InlineData(-3.0, 0.0)]
    [InlineData(0.0, 0.0)]
    public void ReluSquared_squares_the_positive_part(double x, double expected) => Assert.Equal(expected, ReferenceActivations.ReluSquared(x));

    [Theory]
    [InlineData(1.0, 2.0)] // no clamping
    [InlineData(9.0, 2.0)] // gate clamped to 7
    [InlineData(1.0, 8.0)] // up clamped to 7
    [InlineData(-20.0, -9.0)] // gate unclamped below, up clamped to −7
    public void ClampedSwiGlu_follows_gpt_oss(double gate, double up)
    {
        var g = Math.Min(gate, 7);
        var u = Math.Clamp(up, -7, 7);
        Assert.Equal(g / (1 + Math.Exp(-1.702 * g)) * (u + 1), ReferenceActivations.ClampedSwiGlu(gate, up), 1e-14);
    }

    [Fact]
    public void NaN_goes_through_every_activation()
    {
        Assert.True(double.IsNaN(ReferenceActivations.SwiGlu(double.NaN, 1)));
        Assert.True(double.IsNaN(ReferenceActivations.SwiGlu(1, double.NaN)));
        Assert.True(double.IsNaN(ReferenceActivations.ReluSquared(double.NaN)));
        Assert.True(double.IsNaN(ReferenceActivations.ClampedSwiGlu(double.NaN, 1)));
        Assert.True(double.IsNaN(ReferenceActivations.ClampedSwiGlu(1, double.NaN)));
    }

    [Fact]
    public void Apply_splits_gated_W13_output_into_gate_then_up()
    {
        var output = new double[2];
        ReferenceActivations.Apply(Activation.SwiGlu, [1.0, 2.0, 3.0, 4.0], output);
        Assert.Equal([ReferenceActivations.SwiGlu(1, 3), ReferenceActivations.SwiGlu(2, 4)], output);

        ReferenceActivations.Apply(Activation.ReluSquared, [-1.0, 2.0], output);
        Assert.Equal([0.0, 4.0], output);
    }

    [Fact]
    public void Apply_rejects_lengths_that_do_not_fit_the_activation()
    {
        Assert.Equal("w13Output", Assert.Throws<ArgumentException>(() => ReferenceActivations.Apply(Activation.SwiGlu, new double[3], new double[2])).ParamName);
        Assert.Equal("w13Output", Assert.Throws<ArgumentException>(() => ReferenceActivations.Apply(Activation.ReluSquared, new double[4], new double[2])).ParamName);
        Assert.Equal("up", Assert.Throws<ArgumentException>(() => ReferenceActivations.Apply(Activation.ReluSquared, new double[2], new double[2], new double[2])).ParamName);
    }
}
