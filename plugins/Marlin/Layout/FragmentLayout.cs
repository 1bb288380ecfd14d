using MoeTune.Abstractions.Problems;

namespace MoeTune.Plugins.Marlin.Layout;

/// <summary>
/// Where every weight code and block scale sits in a prepared matrix, so that one 16-byte load per lane feeds four
/// mma.sync m16n8k16 steps directly. The kernels read exactly this layout (kernels/marlin_device.cuh describes it
/// from the device side); every function here is an index map the tests check against the PTX fragment layout.
/// <para>
/// A matrix [N, K] is cut into tiles of 16 MMA rows and chunks of 64 along K. Record (tile, chunk) is
/// <see cref="RecordBytes"/> long and starts at <c>(tile · chunks + chunk) · RecordBytes</c>. Its first 512 bytes
/// hold the codes: lane L = 4g + t owns bytes [16L, 16L + 16), four little-endian words, word j for k-step j, each
/// holding the eight codes of the lane's four A registers at <see cref="CodeBits"/>. The scale bytes follow.
/// </para>
/// <para>
/// Inside a chunk, K is permuted: the mma's logical column c of k-step j maps to physical k
/// <c>16t + 4j + 2·(c ≥ 8) + (c mod 2)</c> with t = (c mod 8) / 2. The same map applies to the activations, so every
/// product pairs the same physical k. It gives lane t the contiguous k range [16t, 16t + 16) of the chunk: two 16-byte
/// activation loads, and a single NVFP4 block (one scale per row per chunk).
/// </para>
/// </summary>
public static class FragmentLayout
{
    /// <summary>K elements per chunk (four k-steps of 16).</summary>
    public const int ChunkK = 64;

    /// <summary>Rows per tile: the mma's M.</summary>
    public const int TileRows = 16;

    /// <summary>Code bytes per record: 16 rows × 64 k × 4 bits.</summary>
    public const int DataBytes = 512;

    /// <summary>Lanes of a warp.</summary>
    public const int Lanes = 32;

    /// <summary>mma k-steps per chunk.</summary>
    public const int KSteps = ChunkK / 16;

    /// <summary>K elements one lane covers in a chunk (its contiguous range).</summary>
    public const int LaneK = ChunkK / 4;

    /// <summary>Scale bytes per record: 16 rows × 4 NVFP4 blocks, or 16 rows × 2 MXFP4 blocks.</summary>
    public static int ScaleBytes(WeightFormat format) => TileRows * (ChunkK / BlockSize(format));

    /// <summary>Bytes per record: codes then scales (576 for NVFP4, 544 for MXFP4; multiples of 16).</summary>
    public static int RecordBytes(WeightFormat format) => DataBytes + ScaleBytes(format);

    /// <summary>K elements per block scale for the formats this layout serves.</summary>
    public static int BlockSize(WeightFormat format) => format switch
    {
        WeightFormat.Nvfp4 => 16,
        WeightFormat.Mxfp4 => 32,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "the Marlin layout holds NVFP4 or MXFP4 weights only"),
    };

    /// <summary>
    /// The element that A register <paramref name="register"/> (0..3), half <paramref name="half"/> (0 low, 1 high) of
    /// lane <paramref name="lane"/>'s word for k-step <paramref name="kStep"/> feeds: its row within the tile and its k
    /// within the chunk. The PTX layout puts register r at row g + 8·(r mod 2) and logical column 2t + half + 8·(r / 2).
    /// </summary>
    public static (int Row, int K) ElementOf(int lane, int kStep, int register, int half)
    {
        CheckRange(lane, Lanes, nameof(lane));
        CheckRange(kStep, KSteps, nameof(kStep));
        CheckRange(register, 4, nameof(register));
        CheckRange(half, 2, nameof(half));
        var (g, t) = (lane >> 2, lane & 3);
        return (g + (8 * (register & 1)), (LaneK * t) + (4 * kStep) + (2 * (register >> 1)) + half);
    }

    /// <summary>
    /// Where register <paramref name="register"/>, half <paramref name="half"/>'s E2M1 code sits in its word: the bit of
    /// its sign and the lowest of its three magnitude bits (e1 e0 m, m lowest). The kernel's decode_a_fragment reads
    /// registers 0 and 1 whole through one mask after a shift of 0 and 3, registers 2 and 3 as magnitude and sign from
    /// two shifts each (kernels/marlin_device.cuh explains why); the high half is the low half plus 16.
    /// </summary>
    public static (int SignBit, int MagnitudeBit) CodeBits(int register, int half)
    {
        CheckRange(register, 4, nameof(register));
        CheckRange(half, 2, nameof(half));
        var (sign, magnitude) = register switch
        {
            0 => (15, 6),
            1 => (12, 3),
            2 => (14, 0),
            _ => (13, 9),
        };
        return (sign + (16 * half), magnitude + (16 * half));
    }

    /// <summary>
    /// The physical k (within the chunk) of the mma's logical k index <paramref name="logicalColumn"/> (0..15) in
    /// k-step <paramref name="kStep"/>: the permutation applied to both operands.
    /// </summary>
    public static int PhysicalK(int kStep, int logicalColumn)
    {
        CheckRange(kStep, KSteps, nameof(kStep));
        CheckRange(logicalColumn, 16, nameof(logicalColumn));
        var t = (logicalColumn & 7) >> 1;
        return (LaneK * t) + (4 * kStep) + (2 * (logicalColumn >> 3)) + (logicalColumn & 1);
    }

    /// <summary>
    /// Offset inside a record of the scale of tile row <paramref name="row"/> for block <paramref name="block"/> of
    /// the chunk: <c>512 + 16·block + 2·(row mod 8) + row / 8</c>, so lane (g, t) finds rows g and g + 8 of its block
    /// as one 16-bit word.
    /// </summary>
    public static int ScaleOffset(WeightFormat format, int row, int block)
    {
        CheckRange(row, TileRows, nameof(row));
        CheckRange(block, ChunkK / BlockSize(format), nameof(block));
        return DataBytes + (16 * block) + (2 * (row & 7)) + (row >> 3);
    }

    /// <summary>The block of the chunk that lane quarter <paramref name="t"/> (0..3) reads its scales from.</summary>
    public static int BlockOfLane(WeightFormat format, int t) => LaneK * t / BlockSize(format);

    /// <summary>Row tiles are stored in pairs (<see cref="RecordOffset"/>): a prepared matrix has an even number of them.</summary>
    public const int TilePairRows = 2 * TileRows;

    /// <summary>
    /// Byte offset of record (tile, chunk) in a prepared matrix with <paramref name="chunks"/> chunks per tile: row tiles
    /// in pairs, and inside a pair chunk by chunk, the first tile's record, then the second's, so record index
    /// ((tile / 2)·chunks + chunk)·2 + tile mod 2. A K range of both tiles of a pair is then one contiguous run, which
    /// the bulk-copy decode kernels copy as one piece (one 2.3 KB piece per tile was measurably slower at 16 tokens:
    /// NOTES.md, session 6); one tile's consecutive chunks are two records apart.
    /// </summary>
    public static long RecordOffset(WeightFormat format, int tile, int chunk, int chunks) =>
        (((((long)(tile >> 1) * chunks) + chunk) * 2) + (tile & 1)) * RecordBytes(format);

    /// <summary>Bytes of a prepared [rows, cols] matrix.</summary>
    public static long MatrixBytes(WeightFormat format, int rows, int cols) =>
        (long)(rows / TileRows) * (cols / ChunkK) * RecordBytes(format);

    private static void CheckRange(int value, int count, string name)
    {
        if ((uint)value >= (uint)count)
        {
            throw new ArgumentOutOfRangeException(name, value, $"must be in [0, {count})");
        }
    }
}
