using MoeTune.Plugins.FlashInferCutlass.Layout;

namespace MoeTune.Plugins.Tests.FlashInferCutlass;

public sealed class SwizzledTileTests
{
    [Fact]
    public void Every_element_of_a_weight_tile_has_its_own_two_bytes()
    {
        var seen = new bool[TileGeometry.BTileBytes / 2];
        for (var row = 0; row < TileGeometry.TileCols; row++)
        {
            for (var column = 0; column < TileGeometry.TileK; column++)
            {
                var offset = SwizzledTile.ElementOffset(row, column);
                Assert.False(seen[offset / 2], $"row {row} column {column} lands on a taken offset {offset}");
                seen[offset / 2] = true;
            }
        }

        Assert.All(seen, Assert.True);
    }

    [Fact]
    public void Rows_stay_in_their_128_byte_line_and_atoms_are_1_KiB_apart()
    {
        // The descriptor's stride byte offset (1 KiB between 8-row atoms) and the row-in-line rule that the
        // SWIZZLE_128B mode assumes: row r occupies bytes [128 r, 128 r + 128) whatever its chunk order.
        for (var row = 0; row < TileGeometry.TileCols; row++)
        {
            var offsets = Enumerable.Range(0, 8).Select(c => SwizzledTile.ChunkOffset(row, c)).ToArray();
            Assert.All(offsets, o => Assert.InRange(o, row * 128, (row * 128) + 112));
            Assert.Equal(8, offsets.Distinct().Count());
            Assert.Equal(SwizzledTile.ChunkOffset(row % 8, 3) + ((row / 8) * 1024), SwizzledTile.ChunkOffset(row, 3));
        }
    }

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(0, 9, 18)]       // chunk 1 of row 0 is not moved
    [InlineData(1, 0, 144)]      // row 1, chunk 0 -> position 1
    [InlineData(5, 17, 640 + 112 + 2)] // row 5, chunk 2 -> position 7 (2 xor 5), element 1 within it
    [InlineData(9, 63, 1152 + 96 + 14)] // row 9 (row mod 8 = 1), chunk 7 -> position 6
    public void Offsets_follow_the_xor_rule(int row, int column, int expected) =>
        Assert.Equal(expected, SwizzledTile.ElementOffset(row, column));
}
