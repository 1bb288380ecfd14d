namespace MoeTune.Plugins.FlashInferCutlass.Layout;

/// <summary>
/// Which canonical matrix row each row of a stored weight tile of the <see cref="WeightLayout.Fragments"/> layout holds.
/// Tile row <c>R = 64c + 16w + 8h + g</c> is the A-operand row that thread (warpgroup c, warp w, lane 4g + q) holds in
/// its accumulator half h, so it becomes that thread's output for tokens 8j + 2q + {0, 1} (kernels/fic_epilogue_fragments.cuh).
/// GEMM2 and ReLU² W13 keep rows in order (row <c>128n + R</c> of n-tile n). Gated W13 pairs each gate row with its up
/// row in one thread: h = 0 is the gate row, h = 1 the up row of intermediate column <c>64n + 32c + 8w + g</c>.
/// Rows past the matrix are padding (zeros).
/// </summary>
public static class FragmentRowMap
{
    /// <summary>The canonical W13 row of stored row <paramref name="tileRow"/> of n-tile <paramref name="nTile"/>, or <see cref="WeightRowMap.Padding"/>.</summary>
    public static int W13(TileGeometry geometry, int nTile, int tileRow)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        var intermediate = geometry.Shape.Intermediate;
        if (!geometry.Gated)
        {
            var row = (nTile * TileGeometry.FragTileRows) + tileRow;
            return row < intermediate ? row : WeightRowMap.Padding;
        }

        var column = IntermediateColumn(nTile, tileRow);
        if (column >= intermediate)
        {
            return WeightRowMap.Padding;
        }

        return IsUpRow(tileRow) ? intermediate + column : column;
    }

    /// <summary>The canonical W2 row (an output feature) of stored row <paramref name="tileRow"/> of n-tile <paramref name="nTile"/>, or <see cref="WeightRowMap.Padding"/>.</summary>
    public static int W2(TileGeometry geometry, int nTile, int tileRow)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        var row = (nTile * TileGeometry.FragTileRows) + tileRow;
        return row < geometry.Shape.Hidden ? row : WeightRowMap.Padding;
    }

    /// <summary>Gated W13: the intermediate column whose gate (or up) row stored row <paramref name="tileRow"/> of n-tile <paramref name="nTile"/> is.</summary>
    public static int IntermediateColumn(int nTile, int tileRow) =>
        (nTile * (TileGeometry.FragTileRows / 2)) + (32 * (tileRow / 64)) + (8 * ((tileRow % 64) / 16)) + (tileRow % 8);

    /// <summary>Gated W13: whether stored row <paramref name="tileRow"/> is an up row (accumulator half h = 1).</summary>
    public static bool IsUpRow(int tileRow) => (tileRow % 16) >= 8;
}
