using MoeTune.Abstractions.Problems;
using MoeTune.Plugins.FlashInferCutlass.Layout;
using MoeTune.Plugins.FlashInferCutlass.Runtime;

namespace MoeTune.Plugins.Tests.FlashInferCutlass;

public sealed class LaunchGridsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4096)]
    [InlineData(16384)]
    public void Persistent_grids_never_exceed_the_device_nor_the_possible_work(int tokens)
    {
        var geometry = new TileGeometry(new MoeShape(256, 8, 7168, 2048, Activation.SwiGlu, WeightFormat.Bf16));
        var grids = LaunchGrids.For(geometry, 132, tokens);
        Assert.InRange(grids.FirstGemm, 1, Math.Min(132, geometry.MaxMTiles(tokens) * geometry.W13NTiles));
        Assert.InRange(grids.SecondGemm, 1, Math.Min(132, geometry.MaxMTiles(tokens) * geometry.W2NTiles));
        Assert.InRange(grids.Route, 1, Math.Min(132, ((tokens * 8) + 4095) / 4096));
        Assert.InRange(grids.Gather, 1, 132 * 4);
        Assert.InRange(grids.Combine, 1, 132 * 8);
    }

    [Theory]
    [InlineData(1, 132)]
    [InlineData(4096, 132)]
    [InlineData(4096, 133)]
    public void Cluster_grids_are_whole_clusters_within_the_device_and_two_items_per_cluster(int tokens, int multiprocessors)
    {
        var geometry = new TileGeometry(new MoeShape(8, 1, 256, 128, Activation.SwiGlu, WeightFormat.Bf16));
        var single = LaunchGrids.For(geometry, multiprocessors, tokens);
        var paired = LaunchGrids.For(geometry, multiprocessors, tokens, gemmCluster: 2);
        foreach (var (alone, pairs) in new[] { (single.FirstGemm, paired.FirstGemm), (single.SecondGemm, paired.SecondGemm) })
        {
            Assert.Equal(0, pairs % 2);
            Assert.InRange(pairs, 2, multiprocessors);
            // A cluster takes two work items at a time: as many clusters as pairs of the items a single-CTA grid covers.
            Assert.Equal(Math.Min((alone + 1) / 2, multiprocessors / 2), pairs / 2);
        }
    }

    [Fact]
    public void One_token_on_a_small_layer_needs_few_CTAs()
    {
        var geometry = new TileGeometry(new MoeShape(8, 1, 256, 128, Activation.SwiGlu, WeightFormat.Bf16));
        Assert.Equal(new LaunchGrids(Route: 1, Gather: 8, FirstGemm: 1, SecondGemm: 1, Combine: 1), LaunchGrids.For(geometry, 132, 1));
    }
}
