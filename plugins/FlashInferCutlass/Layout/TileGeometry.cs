using MoeTune.Abstractions.Problems;

namespace MoeTune.Plugins.FlashInferCutlass.Layout;

/// <summary>
/// The grouped GEMM's tile constants (the host copy of <c>kernels/fic_common.cuh</c>; a test checks they agree) and the
/// padded dimensions of one problem. GEMM1 computes the W13 output (N = W13 rows, K = H), GEMM2 the W2 output
/// (N = H, K = the padded intermediate). Weight tiles are <see cref="TileCols"/> rows by <see cref="TileK"/> columns;
/// activations come in 64-row blocks, two per CTA tile.
/// </summary>
public sealed record TileGeometry
{
    /// <summary>Rows per padding block: each expert's rows are padded to a multiple of this; one consumer warpgroup's rows.</summary>
    public const int BlockRows = 64;

    /// <summary>Rows of one CTA tile (two blocks).</summary>
    public const int TileRows = 128;

    /// <summary>Output columns of one CTA tile (the wgmma N).</summary>
    public const int TileCols = 256;

    /// <summary>Reduction depth of one pipeline stage: one 128-byte swizzled row of bf16.</summary>
    public const int TileK = 64;

    /// <summary>Bytes of one swizzled row.</summary>
    public const int RowBytes = 128;

    /// <summary>One 64 × 64 bf16 activation block.</summary>
    public const int ABlockBytes = BlockRows * RowBytes;

    /// <summary>One 256 × 64 bf16 weight tile.</summary>
    public const int BTileBytes = TileCols * RowBytes;

    /// <summary>The E2M1 codes of one NVFP4 weight tile.</summary>
    public const int Fp4PackedBytes = TileCols * TileK / 2;

    /// <summary>The E4M3 block scales of one NVFP4 weight tile.</summary>
    public const int Fp4ScaleBytes = TileCols * TileK / 16;

    /// <summary>One stored NVFP4 weight tile: codes, then scales.</summary>
    public const int Fp4TileBytes = Fp4PackedBytes + Fp4ScaleBytes;

    /// <summary>m-tiles of one expert the scheduler walks together per n-tile.</summary>
    public const int ScheduleGroup = 8;

    /// <summary>Experts the routing kernel can count (one shared-memory counter each).</summary>
    public const int MaxExperts = 1024;

    /// <summary>Output rows per W13 tile that belong to one intermediate column range for gated activations (gate rows, then as many up rows).</summary>
    public const int GatedHalf = TileCols / 2;

    public TileGeometry(MoeShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        Shape = shape;
        Gated = shape.Activation.IsGated();
        HiddenKTiles = CeilDiv(shape.Hidden, TileK);
        IntermediatePadded = RoundUp(shape.Intermediate, Gated ? GatedHalf : TileCols);
        IntermediateKTiles = IntermediatePadded / TileK;
        W13NTiles = IntermediatePadded / (Gated ? GatedHalf : TileCols);
        W2NTiles = CeilDiv(shape.Hidden, TileCols);
        WeightTileBytes = shape.Format == WeightFormat.Nvfp4 ? Fp4TileBytes : BTileBytes;
    }

    public MoeShape Shape { get; }

    /// <summary>W13 holds gate and up rows; each W13 tile then pairs 128 gate rows with the 128 matching up rows.</summary>
    public bool Gated { get; }

    /// <summary>GEMM1's K tiles: H rounded up to <see cref="TileK"/>.</summary>
    public int HiddenKTiles { get; }

    /// <summary>The intermediate size as stored: I rounded up to what one W13 tile produces (128 gated, 256 otherwise).</summary>
    public int IntermediatePadded { get; }

    /// <summary>GEMM2's K tiles (and the 64-column blocks of the intermediate GEMM1 writes).</summary>
    public int IntermediateKTiles { get; }

    /// <summary>GEMM1's n-tiles per expert.</summary>
    public int W13NTiles { get; }

    /// <summary>GEMM2's n-tiles per expert: H rounded up to <see cref="TileCols"/>.</summary>
    public int W2NTiles { get; }

    /// <summary>Bytes of one stored weight tile in this problem's format.</summary>
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
