using MoeTune.Abstractions.Problems;

namespace MoeTune.Plugins.Marlin.Layout;

/// <summary>
/// Which canonical matrix row feeds each MMA row of the prepared layout. For gated activations W13 interleaves in
/// groups of 8: tile r holds gate rows 8r..8r+7 in MMA rows 0..7 and the matching up rows I+8r..I+8r+7 in MMA rows
/// 8..15. The mma puts rows g and g + 8 of a column in the same thread, so GEMM1's epilogue applies the activation to
/// a (gate, up) pair without any exchange. Every other matrix keeps its order.
/// </summary>
public sealed class RowOrder
{
    private readonly int intermediate;

    private RowOrder(int rows, int intermediate)
    {
        Rows = rows;
        this.intermediate = intermediate;
    }

    /// <summary>Rows of the matrix (canonical and MMA alike).</summary>
    public int Rows { get; }

    /// <summary>True where gate and up rows are interleaved.</summary>
    public bool IsGateUpInterleaved => intermediate > 0;

    /// <summary>Rows in canonical order (W2, and W13 of non-gated activations).</summary>
    public static RowOrder Identity(int rows)
    {
        if (rows <= 0 || rows % FragmentLayout.TileRows != 0)
        {
            throw new ArgumentException($"rows must be a positive multiple of {FragmentLayout.TileRows}, got {rows}", nameof(rows));
        }

        return new RowOrder(rows, 0);
    }

    /// <summary>W13 of a gated activation with <paramref name="intermediate"/> gate rows followed by as many up rows.</summary>
    public static RowOrder GateUpInterleaved(int intermediate)
    {
        if (intermediate <= 0 || intermediate % (FragmentLayout.TileRows / 2) != 0)
        {
            throw new ArgumentException($"the intermediate size must be a positive multiple of 8, got {intermediate}", nameof(intermediate));
        }

        return new RowOrder(2 * intermediate, intermediate);
    }

    /// <summary>The order of <paramref name="shape"/>'s W13.</summary>
    public static RowOrder ForW13(MoeShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return shape.Activation.IsGated() ? GateUpInterleaved(shape.Intermediate) : Identity(shape.Intermediate);
    }

    /// <summary>The canonical row that MMA row <paramref name="mmaRow"/> (tile · 16 + row in tile) holds.</summary>
    public int CanonicalRow(int mmaRow)
    {
        if ((uint)mmaRow >= (uint)Rows)
        {
            throw new ArgumentOutOfRangeException(nameof(mmaRow), mmaRow, $"the matrix has {Rows} rows");
        }

        if (!IsGateUpInterleaved)
        {
            return mmaRow;
        }

        var (tile, row) = (mmaRow / FragmentLayout.TileRows, mmaRow % FragmentLayout.TileRows);
        var half = FragmentLayout.TileRows / 2;
        return row < half ? (half * tile) + row : intermediate + (half * tile) + (row - half);
    }
}
