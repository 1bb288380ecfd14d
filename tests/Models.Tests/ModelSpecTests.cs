using MoeTune.Abstractions.Problems;
using MoeTune.Models.Families;

namespace MoeTune.Models.Tests;

public sealed class ModelSpecTests
{
    private static readonly MoeShape Shape = new(8, 2, 64, 32, Activation.SwiGlu, WeightFormat.Bf16);

    private static ModelSpec Make(RoutingSpec? routing = null, int shared = 0, int layers = 4, int[]? moeLayers = null) => new(
        "tiny", ModelFamilies.Mixtral, Shape, routing ?? RoutingSpec.SoftmaxRenormalized, shared, ["tiny"], "test", layers, moeLayers ?? [0, 1, 2, 3],
        ModelFamilies.Mixtral.Fields);

    [Fact]
    public void Valid_spec_keeps_its_parts()
    {
        var spec = Make(moeLayers: [1, 2, 3]);

        Assert.Equal(1, spec.FirstMoeLayer);
        Assert.True(spec.IsMoeLayer(2));
        Assert.False(spec.IsMoeLayer(0));
        Assert.Equal("1-3", spec.DescribeMoeLayers());
        Assert.Contains(Shape.CanonicalText, spec.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_moe_layers_compacts_runs()
    {
        Assert.Equal("0, 2-3", Make(layers: 4, moeLayers: [0, 2, 3]).DescribeMoeLayers());
    }

    [Theory]
    [InlineData(new[] { 1, 1 }, "ascending")]
    [InlineData(new[] { 2, 1 }, "ascending")]
    [InlineData(new[] { 4 }, "outside")]
    [InlineData(new[] { -1 }, "outside")]
    [InlineData(new int[0], "no MoE layer")]
    public void Bad_layer_lists_are_rejected(int[] moeLayers, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => Make(moeLayers: moeLayers));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_shared_experts_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Make(shared: -1));
    }

    [Theory]
    [InlineData(3, 1, "equal groups")]
    [InlineData(4, 5, "kept groups")]
    [InlineData(4, 0, "kept groups")]
    public void Routing_groups_must_fit_the_experts(int groups, int kept, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => Make(new RoutingSpec(RouterScoring.Sigmoid, true, groups, kept)));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Top_k_must_be_reachable_from_the_kept_groups()
    {
        // 8 experts in 8 groups of 1, keeping 1 group: only 1 expert reachable, top-2 impossible.
        var error = Assert.Throws<ArgumentException>(() => Make(new RoutingSpec(RouterScoring.Sigmoid, true, 8, 1)));
        Assert.Contains("top-2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Routed_scaling_factor_must_be_positive()
    {
        Assert.Throws<ArgumentException>(() => Make(new RoutingSpec(RouterScoring.Sigmoid, true, RoutedScalingFactor: 0)));
    }
}
