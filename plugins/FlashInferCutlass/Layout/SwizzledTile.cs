namespace MoeTune.Plugins.FlashInferCutlass.Layout;

/// <summary>
/// The 128-byte-swizzled layout of every operand tile (activation blocks and weight tiles alike): rows of 128 bytes
/// (64 bf16 along K), and within each group of 8 rows (a 1 KiB atom) the 16-byte chunk <c>c</c> of row <c>r</c> stored
/// at chunk position <c>c XOR (r mod 8)</c>. It is what wgmma reads through a SWIZZLE_128B descriptor whose stride
/// byte offset is 1 KiB; <c>swizzled_offset</c> in <c>kernels/fic_common.cuh</c> is the device copy.
/// </summary>
public static class SwizzledTile
{
    public const int ChunkBytes = 16;

    public const int ChunksPerRow = TileGeometry.RowBytes / ChunkBytes;

    /// <summary>Byte offset of 16-byte chunk <paramref name="chunk"/> (0..7) of row <paramref name="row"/>.</summary>
    public static int ChunkOffset(int row, int chunk) => (row * TileGeometry.RowBytes) + ((chunk ^ (row & 7)) * ChunkBytes);

    /// <summary>Byte offset of bf16 element <paramref name="column"/> (0..63) of row <paramref name="row"/>.</summary>
    public static int ElementOffset(int row, int column) => ChunkOffset(row, column / 8) + ((column % 8) * 2);
}
