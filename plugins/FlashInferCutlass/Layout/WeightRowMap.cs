namespace MoeTune.Plugins.FlashInferCutlass.Layout;

/// <summary>
/// Which canonical matrix row each row of a stored weight tile holds. W13 for gated activations interleaves by
/// tile: rows 0..127 of n-tile <c>n</c> are gate rows <c>128n..128n+127</c>, rows 128..255 the matching up rows
/// <c>I + 128n..</c>, so that GEMM1's epilogue finds gate column <c>j</c> and up column <c>j + 128</c> of its
/// accumulator in the same thread. Other matrices keep their order. Rows past the matrix are padding (zeros).
/// </summary>
public static class WeightRowMap
{
    /// <summary>Marks a padding row.</summary>
    public const int Padding = -1;

    /// <summary>The canonical W13 row of stored row <paramref name="tileRow"/> of n-tile <paramref name="nTile"/>, or <see cref="Padding"/>.</summary>
    public static int W13(TileGeometry geometry, int nTile, int tileRow)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        var intermediate = geometry.Shape.Intermediate;
        if (!geometry.Gated)
        {
            var row = (nTile * TileGeometry.TileCols) + tileRow;
            return row < intermediate ? row : Padding;
        }

        var column = (nTile * TileGeometry.GatedHalf) + (tileRow % TileGeometry.GatedHalf);
        if (column >= intermediate)
        {
            return Padding;
        }

        return tileRow < TileGeometry.GatedHalf ? column : intermediate + column;
    }

    /// <summary>The canonical W2 row (an output feature) of stored row <paramref name="tileRow"/> of n-tile <paramref name="nTile"/>, or <see cref="Padding"/>.</summary>
    public static int W2(TileGeometry geometry, int nTile, int tileRow)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        var row = (nTile * TileGeometry.TileCols) + tileRow;
        return row < geometry.Shape.Hidden ? row : Padding;
    }
}
