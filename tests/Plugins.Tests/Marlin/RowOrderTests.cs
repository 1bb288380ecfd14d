using MoeTune.Abstractions.Problems;
using MoeTune.Plugins.Marlin.Layout;

namespace MoeTune.Plugins.Tests.Marlin;

public sealed class RowOrderTests
{
    [Fact]
    public void Gated_w13_puts_gate_and_up_of_one_intermediate_index_eight_rows_apart()
    {
        var order = RowOrder.GateUpInterleaved(intermediate: 24);
        Assert.Equal(48, order.Rows);
        for (var tile = 0; tile < 3; tile++)
        {
            for (var g = 0; g < 8; g++)
            {
                var i = (8 * tile) + g;
                Assert.Equal(i, order.CanonicalRow((16 * tile) + g));            // gate row i
                Assert.Equal(24 + i, order.CanonicalRow((16 * tile) + g + 8));   // up row I + i
            }
        }
    }

    [Fact]
    public void Every_order_is_a_permutation()
    {
        foreach (var order in new[] { RowOrder.GateUpInterleaved(40), RowOrder.Identity(80) })
        {
            var rows = Enumerable.Range(0, order.Rows).Select(order.CanonicalRow).Order().ToArray();
            Assert.Equal(Enumerable.Range(0, order.Rows), rows);
        }
    }

    [Fact]
    public void W13_order_follows_the_activation()
    {
        Assert.True(RowOrder.ForW13(new MoeShape(8, 2, 128, 64, Activation.SwiGlu, WeightFormat.Nvfp4)).IsGateUpInterleaved);
        Assert.True(RowOrder.ForW13(new MoeShape(8, 2, 128, 64, Activation.ClampedSwiGlu, WeightFormat.Mxfp4)).IsGateUpInterleaved);
        var relu = RowOrder.ForW13(new MoeShape(8, 2, 128, 64, Activation.ReluSquared, WeightFormat.Nvfp4));
        Assert.False(relu.IsGateUpInterleaved);
        Assert.Equal(64, relu.Rows);
    }

    [Fact]
    public void Rows_outside_the_matrix_and_untileable_sizes_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RowOrder.Identity(32).CanonicalRow(32));
        Assert.Throws<ArgumentException>(() => RowOrder.Identity(24));
        Assert.Throws<ArgumentException>(() => RowOrder.GateUpInterleaved(12));
    }
}
