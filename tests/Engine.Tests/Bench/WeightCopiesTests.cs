using MoeTune.Abstractions.Backends;
using MoeTune.Engine.Bench;

namespace MoeTune.Engine.Tests.Bench;

public sealed class WeightCopiesTests
{
    private const long L2 = 50L << 20;

    [Theory]
    [InlineData(300e6, 16, 1)] // a rotation over 300 MB of experts already covers 4 × 50 MiB
    [InlineData(100e6, 16, 3)] // 4 × 52.4 MB / 100 MB → 3 copies
    [InlineData(1e6, 16, 8)] // tiny: capped at 8
    [InlineData(1e6, 2, 2)] // never more copies than rotation sets
    public void Copies_are_needed_until_the_weights_in_play_cover_four_times_L2(double rotationBytes, int sets, int expected) =>
        Assert.Equal(expected, WeightCopies.Needed(rotationBytes, L2, sets));

    [Fact]
    public void Unknown_L2_needs_no_copies() => Assert.Equal(1, WeightCopies.Needed(1e3, 0, 16));

    [Fact]
    public void Forwards_cycle_through_the_copies_and_all_are_disposed()
    {
        var prepared = new List<CountingLayer>();
        var first = new CountingLayer();
        using (var copies = new WeightCopies(first, () =>
        {
            var layer = new CountingLayer();
            prepared.Add(layer);
            return layer;
        }))
        {
            var (single, one) = copies.Cycling(1);
            Assert.Same(first, single);
            Assert.Equal(1, one);

            var (cycling, three) = copies.Cycling(3);
            Assert.Equal(3, three);
            Assert.Equal(3 * first.WeightBytes, cycling.WeightBytes);
            for (var i = 0; i < 7; i++)
            {
                cycling.Forward(default);
            }

            Assert.Equal([3, 2, 2], new[] { first }.Concat(prepared).Select(l => l.Forwards));
        }

        Assert.All(new[] { first }.Concat(prepared), l => Assert.True(l.Disposed));
    }

    [Fact]
    public void A_copy_that_cannot_be_prepared_leaves_fewer_copies_and_says_why()
    {
        using var copies = new WeightCopies(new CountingLayer(), () => throw new InvalidOperationException("out of device memory"));

        var (_, used) = copies.Cycling(4);

        Assert.Equal(1, used);
        Assert.Contains("weight copy 2 could not be prepared", copies.Shortfall, StringComparison.Ordinal);
        Assert.Contains("out of device memory", copies.Shortfall, StringComparison.Ordinal);
    }

    private sealed class CountingLayer : IPreparedMoeLayer
    {
        public int Forwards { get; private set; }

        public bool Disposed { get; private set; }

        public long WeightBytes => 1000;

        public long WorkspaceBytes => 10;

        public int MaxTokens => 16;

        public void Forward(in MoeForwardArgs args) => Forwards++;

        public void Dispose() => Disposed = true;
    }
}
