using MoeTune.Plugins.FlashInferCutlass.Layout;
using MoeTune.Plugins.Tests.FlashInferCutlass.Models;

namespace MoeTune.Plugins.Tests.FlashInferCutlass;

/// <summary>The grouped GEMM's work-list decode (<c>decode_work</c>), through its C# mirror.</summary>
public sealed class WorkScheduleTests
{
    public static TheoryData<int, int, int, int, int> Cases => new()
    {
        { 40, 4, 16, 3, 2 },       // few tokens: experts with 0 or 1 block
        { 4096, 2, 8, 112, 2 },    // mixtral-like: many m-tiles per expert, more than one group
        { 4096, 2, 8, 224, 4 },    // the same with four-block m-tiles (groups of four)
        { 1000, 8, 128, 6, 2 },    // many experts, ragged counts
        { 1000, 8, 128, 12, 4 },   // ragged counts: tiles of one to four blocks
        { 5000, 1, 4, 1, 4 },      // one n-tile
        { 3, 8, 256, 28, 2 },      // T = 3: most experts empty
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Items_cover_every_m_tile_and_n_tile_once_with_the_right_expert_and_blocks(int tokens, int topK, int experts, int nTiles, int tileBlocks)
    {
        var routing = RandomRouting(tokens, topK, experts, tileBlocks, seed: tokens + experts);
        var tileRows = tileBlocks * TileGeometry.BlockRows;
        var seen = new HashSet<(int Block, int NTile)>();
        for (var item = 0; item < WorkScheduleModel.TotalWork(routing, nTiles); item++)
        {
            var tile = WorkScheduleModel.Decode(item, nTiles, routing);
            Assert.InRange(tile.NTile, 0, nTiles - 1);
            Assert.True(seen.Add((tile.FirstBlock, tile.NTile)), $"item {item} repeats block {tile.FirstBlock}, n-tile {tile.NTile}");
            var firstRow = tile.FirstBlock * TileGeometry.BlockRows;
            Assert.InRange(firstRow, routing.RowOffsets[tile.Expert], routing.RowOffsets[tile.Expert + 1] - 1);
            Assert.Equal(0, (firstRow - routing.RowOffsets[tile.Expert]) % tileRows);
            var rowsLeft = routing.RowOffsets[tile.Expert + 1] - firstRow;
            Assert.Equal(Math.Min(tileBlocks, rowsLeft / TileGeometry.BlockRows), tile.Blocks);
        }

        var expected = Enumerable.Range(0, routing.Experts)
            .SelectMany(e => Enumerable.Range(0, routing.TileOffsets[e + 1] - routing.TileOffsets[e])
                .Select(m => (routing.RowOffsets[e] / TileGeometry.BlockRows) + (tileBlocks * m)))
            .SelectMany(block => Enumerable.Range(0, nTiles).Select(n => (block, n)));
        Assert.Equal(expected.Order(), seen.Order());
    }

    [Fact]
    public void Neighbouring_items_share_a_weight_tile_within_a_group()
    {
        // 20 m-tiles of one expert, 5 n-tiles: groups of 8, 8 and 4 m-tiles each sweep all n-tiles, m fastest.
        var routing = RoutingModel.Build(Enumerable.Repeat(0, 20 * 2 * TileGeometry.BlockRows).ToArray(), 2);
        var order = Enumerable.Range(0, WorkScheduleModel.TotalWork(routing, 5)).Select(i => WorkScheduleModel.Decode(i, 5, routing)).ToList();
        Assert.All(order.Take(8), t => Assert.Equal(0, t.NTile));
        Assert.All(order.Skip(8).Take(8), t => Assert.Equal(1, t.NTile));
        Assert.Equal(Enumerable.Range(0, 8).Select(m => 2 * m), order.Take(8).Select(t => t.FirstBlock));
        Assert.All(order.Skip(80).Take(4), t => Assert.Equal(0, t.NTile));
        Assert.Equal(Enumerable.Range(16, 4).Select(m => 2 * m), order.Skip(80).Take(4).Select(t => t.FirstBlock));
    }

    private static RoutingModel RandomRouting(int tokens, int topK, int experts, int tileBlocks, int seed)
    {
        var random = new Random(seed);
        var ids = new int[tokens * topK];
        for (var t = 0; t < tokens; t++)
        {
            var chosen = Enumerable.Range(0, experts).OrderBy(_ => random.Next()).Take(topK).ToArray();
            chosen.CopyTo(ids, t * topK);
        }

        return RoutingModel.Build(ids, experts, tileBlocks);
    }
}
