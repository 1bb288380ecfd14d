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
                var column = (n * TileGeometry.GatedHalf) + r;
                Assert.Equal(column < intermediate ? column : WeightRowMap.Padding, gate);
                Assert.Equal(column < intermediate ? intermediate + column : WeightRowMap.Padding, up);
            }
        }
    }

    [Fact]
    public void W2_rows_keep_their_order_and_pad_past_H()
    {
        var geometry = new TileGeometry(new MoeShape(4, 2, 300, 256, Activation.SwiGlu, WeightFormat.Bf16));
        Assert.Equal(2, geometry.W2NTiles);
        Assert.Equal(299, WeightRowMap.W2(geometry, 1, 43));
        Assert.Equal(WeightRowMap.Padding, WeightRowMap.W2(geometry, 1, 44));
    }
}
