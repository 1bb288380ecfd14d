using MoeTune.Abstractions.Problems;
using MoeTune.Plugins.FlashInferCutlass.Layout;

namespace MoeTune.Plugins.Tests.FlashInferCutlass;

public sealed class WeightRowMapTests
{
    [Theory]
    [InlineData(768, Activation.SwiGlu)]
    [InlineData(200, Activation.SwiGlu)]
    [InlineData(2688, Activation.ReluSquared)]
    [InlineData(100, Activation.ReluSquared)]
    public void Every_W13_row_is_stored_exactly_once(int intermediate, Activation activation)
    {
        var geometry = new TileGeometry(new MoeShape(4, 2, 256, intermediate, activation, WeightFormat.Bf16));
        var stored = Enumerable.Range(0, geometry.W13NTiles)
            .SelectMany(n => Enumerable.Range(0, TileGeometry.TileCols).Select(r => WeightRowMap.W13(geometry, n, r)))
            .Where(row => row != WeightRowMap.Padding)
            .ToList();
        Assert.Equal(Enumerable.Range(0, geometry.Shape.W13Rows), stored.Order());
    }

    [Fact]
    public void Each_epilogue_thread_holds_eight_consecutive_output_columns_per_group()
    {
        for (var quad = 0; quad < 4; quad++)
        {
            for (var columnGroup = 0; columnGroup < 8; columnGroup++)
            {
                // Accumulator columns 8j + 2q + c of j = 4g + i (kernels/fic_wgmma.cuh): one 16-byte chunk of output.
                var columns = from i in Enumerable.Range(0, 4)
                              from c in Enumerable.Range(0, 2)
                              select WeightRowMap.OutputColumn((8 * ((4 * columnGroup) + i)) + (2 * quad) + c);
                Assert.Equal(Enumerable.Range((32 * columnGroup) + (8 * quad), 8), columns);
            }
        }
    }

    [Fact]
    public void The_output_column_order_is_an_involution_that_keeps_the_gated_half()
    {
        Assert.All(Enumerable.Range(0, 256), c => Assert.Equal(c, WeightRowMap.OutputColumn(WeightRowMap.OutputColumn(c))));
        Assert.Equal(Enumerable.Range(0, 128), Enumerable.Range(0, 128).Select(WeightRowMap.OutputColumn).Order());
    }

    [Fact]
    public void Gate_and_up_rows_of_one_column_sit_128_rows_apart_in_one_tile()
    {
        const int intermediate = 320;
        var geometry = new TileGeometry(new MoeShape(4, 2, 256, intermediate, Activation.SwiGlu, WeightFormat.Bf16));
        for (var n = 0; n < geometry.W13NTiles; n++)
        {
            for (var r = 0; r < TileGeometry.GatedHalf; r++)
            {
                var gate = WeightRowMap.W13(geometry, n, r);
                var up = WeightRowMap.W13(geometry, n, r + TileGeometry.GatedHalf);
                var column = (n * TileGeometry.GatedHalf) + WeightRowMap.OutputColumn(r);
                Assert.Equal(column < intermediate ? column : WeightRowMap.Padding, gate);
                Assert.Equal(column < intermediate ? intermediate + column : WeightRowMap.Padding, up);
            }
        }
    }

    [Fact]
    public void Every_W2_row_is_stored_once_and_rows_past_H_are_padding()
    {
        var geometry = new TileGeometry(new MoeShape(4, 2, 300, 256, Activation.SwiGlu, WeightFormat.Bf16));
        Assert.Equal(2, geometry.W2NTiles);
        var stored = Enumerable.Range(0, geometry.W2NTiles)
            .SelectMany(n => Enumerable.Range(0, TileGeometry.TileCols).Select(r => WeightRowMap.W2(geometry, n, r)))
            .ToList();
        Assert.Equal(Enumerable.Range(0, 300), stored.Where(row => row != WeightRowMap.Padding).Order());
        Assert.Equal(299, WeightRowMap.W2(geometry, 1, 43));            // accumulator column 43 is output column 43
        Assert.Equal(WeightRowMap.Padding, WeightRowMap.W2(geometry, 1, 44)); // ... and 44 is output column 50: 306 >= H
    }
}
