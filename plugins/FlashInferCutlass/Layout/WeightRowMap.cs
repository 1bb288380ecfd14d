namespace MoeTune.Plugins.FlashInferCutlass.Layout;

/// <summary>
/// Which canonical matrix row each row of a stored weight tile holds. Row <c>r</c> of a tile becomes accumulator column
/// <c>r</c> of the grouped GEMM, and a thread of the epilogue holds accumulator columns <c>32g + 8i + 2q + c</c> (its
/// quad position q, i &lt; 4, c &lt; 2); storing output column <c>32g + 8q + 2i + c</c> there (<see cref="OutputColumn"/>)
/// gives each thread 8 consecutive output columns, written with one 16-byte store (kernels/fic_epilogue.cuh).
/// W13 for gated activations also interleaves by tile: rows 0..127 of n-tile <c>n</c> hold gate rows of intermediate
/// columns <c>128n..128n+127</c>, rows 128..255 the matching up rows (<c>I + column</c>) in the same order, so that
/// GEMM1's epilogue finds gate column <c>j</c> and up column <c>j + 128</c> of its accumulator in the same thread.
/// Rows past the matrix are padding (zeros).
/// </summary>
public static class WeightRowMap
{
    /// <summary>Marks a padding row.</summary>
    public const int Padding = -1;

    /// <summary>
    /// The output column, within its tile, of accumulator column <paramref name="accumulatorColumn"/>: its bit fields
    /// 1-2 (the quad position) and 3-4 swap. An involution on 0..255 that keeps 0..127 and each 32-column group.
    /// </summary>
    public static int OutputColumn(int accumulatorColumn) =>
        (accumulatorColumn & ~0x1E) | ((accumulatorColumn << 2) & 0x18) | ((accumulatorColumn >> 2) & 0x06);

    /// <summary>The canonical W13 row of stored row <paramref name="tileRow"/> of n-tile <paramref name="nTile"/>, or <see cref="Padding"/>.</summary>
    public static int W13(TileGeometry geometry, int nTile, int tileRow)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        var intermediate = geometry.Shape.Intermediate;
        if (!geometry.Gated)
        {
            var row = (nTile * TileGeometry.TileCols) + OutputColumn(tileRow);
            return row < intermediate ? row : Padding;
        }

        var column = (nTile * TileGeometry.GatedHalf) + OutputColumn(tileRow % TileGeometry.GatedHalf);
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
        var row = (nTile * TileGeometry.TileCols) + OutputColumn(tileRow);
        return row < geometry.Shape.Hidden ? row : Padding;
    }
}
