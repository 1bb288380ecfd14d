using MoeTune.Abstractions.Problems;

namespace MoeTune.Plugins.FlashInferCutlass.Layout;

/// <summary>
/// The grouped GEMM's tile constants (the host copy of <c>kernels/fic_common.cuh</c>; a test checks they agree) and the
/// padded dimensions of one problem in one <see cref="WeightLayout"/>. GEMM1 computes the W13 output (N = W13 rows,
/// K = H), GEMM2 the W2 output (N = H, K = the padded intermediate). Tokens come in 64-row blocks, an m-tile holding up
/// to <see cref="TileBlocks"/> of one expert; weight tiles are <see cref="WeightTileRows"/> rows by <see cref="TileK"/>
/// columns.
/// </summary>
public sealed record TileGeometry
{
    /// <summary>Rows per padding block: each expert's rows are padded to a multiple of this.</summary>
    public const int BlockRows = 64;

    /// <summary>Rows of a weight tile in the <see cref="WeightLayout.Tiles"/> layout (the wgmma N).</summary>
    public const int TileCols = 256;

    /// <summary>Reduction depth of one pipeline stage: one 128-byte swizzled row of bf16.</summary>
    public const int TileK = 64;

    /// <summary>Bytes of one swizzled row.</summary>
    public const int RowBytes = 128;

    /// <summary>One 64 × 64 bf16 activation block.</summary>
    public const int ABlockBytes = BlockRows * RowBytes;

    /// <summary>One 256 × 64 bf16 weight tile.</summary>
    public const int BTileBytes = TileCols * RowBytes;

    /// <summary>The E2M1 codes of one NVFP4 weight tile of the <see cref="WeightLayout.Tiles"/> layout.</summary>
    public const int Fp4PackedBytes = TileCols * TileK / 2;

    /// <summary>The E4M3 block scales of one such tile.</summary>
    public const int Fp4ScaleBytes = TileCols * TileK / 16;

    /// <summary>One stored NVFP4 tile of the <see cref="WeightLayout.Tiles"/> layout: codes, then scales.</summary>
    public const int Fp4TileBytes = Fp4PackedBytes + Fp4ScaleBytes;

    /// <summary>Rows of one expert's m-tiles the scheduler walks together per n-tile.</summary>
    public const int ScheduleGroupRows = 1024;

    /// <summary>Experts the routing kernel can count (one shared-memory counter each).</summary>
    public const int MaxExperts = 1024;

    /// <summary>Rows of a weight tile of the <see cref="WeightLayout.Fragments"/> layout: 64 per consumer warpgroup.</summary>
    public const int FragTileRows = 128;

    /// <summary>The E2M1 codes of one fragment tile, in thread order.</summary>
    public const int FragCodeBytes = FragTileRows * TileK / 2;

    /// <summary>The block scales of one fragment tile, as bf16.</summary>
    public const int FragScaleBytes = FragTileRows * TileK / 16 * 2;

    /// <summary>One stored NVFP4 fragment tile: codes, then scales.</summary>
    public const int FragTileBytes = FragCodeBytes + FragScaleBytes;

    /// <summary>One stored bf16 fragment tile: 128 rows × 64 columns of bf16 in thread order (<see cref="Bf16FragmentTiler"/>).</summary>
    public const int Bf16FragTileBytes = FragTileRows * TileK * 2;

    /// <summary>Blocks of one m-tile in the <see cref="WeightLayout.Fragments"/> layout (tokens are wgmma's N, up to 256).</summary>
    public const int MaxTileBlocks = 4;

    /// <summary>Output rows per gated W13 tile of the <see cref="WeightLayout.Tiles"/> layout that belong to one intermediate column range (gate rows, then as many up rows).</summary>
    public const int GatedHalf = TileCols / 2;

    public TileGeometry(MoeShape shape, WeightLayout layout = WeightLayout.Tiles)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (layout == WeightLayout.Fragments && shape.Format is not (WeightFormat.Nvfp4 or WeightFormat.Bf16))
        {
            throw new ArgumentException($"the fragment layout stores NVFP4 and bf16 weights, not {shape.Format.ToName()}", nameof(layout));
        }

        Shape = shape;
        Layout = layout;
        Gated = shape.Activation.IsGated();
        HiddenKTiles = CeilDiv(shape.Hidden, TileK);
        IntermediatePadded = RoundUp(shape.Intermediate, Gated ? GatedHalf : TileCols);
        IntermediateKTiles = IntermediatePadded / TileK;
        WeightTileRows = layout == WeightLayout.Fragments ? FragTileRows : TileCols;
        TileBlocks = layout == WeightLayout.Fragments ? MaxTileBlocks : 2;

        // A gated W13 tile yields half as many intermediate columns as it has rows (gate and up rows pair up).
        W13NTiles = IntermediatePadded / (Gated ? WeightTileRows / 2 : WeightTileRows);
        W2NTiles = CeilDiv(shape.Hidden, WeightTileRows);
        var nvfp4 = shape.Format == WeightFormat.Nvfp4;
        WeightTileBytes = layout == WeightLayout.Fragments ? (nvfp4 ? FragTileBytes : Bf16FragTileBytes) : nvfp4 ? Fp4TileBytes : BTileBytes;
    }

    public MoeShape Shape { get; }

    public WeightLayout Layout { get; }

    /// <summary>W13 holds gate and up rows; each W13 tile then pairs gate rows with the matching up rows.</summary>
    public bool Gated { get; }

    /// <summary>GEMM1's K tiles: H rounded up to <see cref="TileK"/>.</summary>
    public int HiddenKTiles { get; }

    /// <summary>The intermediate size as stored: I rounded up to 128 (gated) or 256 columns, in both layouts.</summary>
    public int IntermediatePadded { get; }

    /// <summary>GEMM2's K tiles (and the 64-column blocks of the intermediate GEMM1 writes).</summary>
    public int IntermediateKTiles { get; }

    /// <summary>Rows of one weight tile: 256, or 128 in the fragment layout.</summary>
    public int WeightTileRows { get; }

    /// <summary>64-row token blocks of one m-tile at most: 2, or 4 in the fragment layout.</summary>
    public int TileBlocks { get; }

    /// <summary>GEMM1's n-tiles per expert.</summary>
    public int W13NTiles { get; }

    /// <summary>GEMM2's n-tiles per expert: H rounded up to <see cref="WeightTileRows"/>.</summary>
    public int W2NTiles { get; }

    /// <summary>Bytes of one stored weight tile in this problem's format and layout.</summary>
    public int WeightTileBytes { get; }

    public long W13BytesPerExpert => (long)W13NTiles * HiddenKTiles * WeightTileBytes;

    public long W2BytesPerExpert => (long)W2NTiles * IntermediateKTiles * WeightTileBytes;

    /// <summary>An upper bound on the permuted rows for <paramref name="tokens"/> tokens: every entry, plus under one block of padding per expert that has any.</summary>
    public long MaxPermutedRows(int tokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tokens);
        var entries = (long)tokens * Shape.TopK;
        return RoundUp(entries + ((BlockRows - 1) * Math.Min(Shape.Experts, entries)), BlockRows);
    }

    /// <summary>An upper bound on the m-tiles for <paramref name="tokens"/> tokens (every tile holds at least one block).</summary>
    public long MaxMTiles(int tokens) => MaxPermutedRows(tokens) / BlockRows;

    internal static int CeilDiv(int value, int divisor) => (value + divisor - 1) / divisor;

    internal static int RoundUp(int value, int multiple) => CeilDiv(value, multiple) * multiple;

    internal static long RoundUp(long value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
