using MoeTune.Abstractions.Problems;
using MoeTune.Plugins.FlashInferCutlass.Layout;

namespace MoeTune.Plugins.Tests.FlashInferCutlass;

public sealed class FragmentRowMapTests
{
    [Theory]
    [InlineData(768, Activation.SwiGlu)]
    [InlineData(208, Activation.SwiGlu)]
    [InlineData(2688, Activation.ReluSquared)]
    [InlineData(112, Activation.ReluSquared)]
    public void Every_W13_row_is_stored_exactly_once(int intermediate, Activation activation)
    {
        var geometry = new TileGeometry(new MoeShape(4, 2, 256, intermediate, activation, WeightFormat.Nvfp4), WeightLayout.Fragments);
        var stored = Enumerable.Range(0, geometry.W13NTiles)
            .SelectMany(n => Enumerable.Range(0, TileGeometry.FragTileRows).Select(r => FragmentRowMap.W13(geometry, n, r)))
            .Where(row => row != WeightRowMap.Padding)
            .ToList();
        Assert.Equal(Enumerable.Range(0, geometry.Shape.W13Rows), stored.Order());
    }

    [Fact]
    public void Each_thread_holds_the_gate_and_up_rows_of_one_intermediate_column()
    {
        // Thread (c, w, 4g + q) holds tile rows 64c + 16w + g (accumulator half 0) and that + 8 (half 1).
        const int intermediate = 208;
        var geometry = new TileGeometry(new MoeShape(4, 2, 256, intermediate, Activation.SwiGlu, WeightFormat.Nvfp4), WeightLayout.Fragments);
        var columns = new List<int>();
        for (var n = 0; n < geometry.W13NTiles; n++)
        {
            for (var c = 0; c < 2; c++)
            {
                for (var w = 0; w < 4; w++)
                {
                    for (var g = 0; g < 8; g++)
                    {
                        var row = (64 * c) + (16 * w) + g;
                        var column = (64 * n) + (32 * c) + (8 * w) + g;
                        Assert.Equal(column < intermediate ? column : WeightRowMap.Padding, FragmentRowMap.W13(geometry, n, row));
                        Assert.Equal(column < intermediate ? intermediate + column : WeightRowMap.Padding, FragmentRowMap.W13(geometry, n, row + 8));
                        columns.Add(column);
                    }
                }
            }
        }

        Assert.Equal(Enumerable.Range(0, geometry.IntermediatePadded), columns.Order());
    }

    [Fact]
    public void W2_rows_are_in_order_and_rows_past_H_are_padding()
    {
        var geometry = new TileGeometry(new MoeShape(4, 2, 304, 256, Activation.SwiGlu, WeightFormat.Nvfp4), WeightLayout.Fragments);
        Assert.Equal(3, geometry.W2NTiles);
        Assert.Equal(303, FragmentRowMap.W2(geometry, 2, 47));
        Assert.Equal(WeightRowMap.Padding, FragmentRowMap.W2(geometry, 2, 48));
    }
}
