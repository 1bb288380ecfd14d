using System.Buffers.Binary;
using MoeTune.Plugins.FlashInferCutlass.Layout;
using MoeTune.Reference.Formats;

namespace MoeTune.Plugins.Tests.FlashInferCutlass.Models;

/// <summary>
/// The NVFP4 → bf16 conversion of <c>kernels/fic_fp4.cuh</c>, step for step in C#: the same bit constructions, each
/// bf16 pair product rounded to nearest even (bf16 subnormals kept, as the kernel relies on), the same work units, and
/// the register-fragment form's thread-to-element mapping.
/// </summary>
internal static class Fp4ConversionModel
{
    private const uint PairBitsMask = 0x81C081C0u;

    /// <summary>fp4_scale_pairs: the two E4M3 codes of a unit (low and high byte) as bf16 pairs {s · 2^118, s · 2^118}.</summary>
    public static (uint Low, uint High) ScalePairs(uint codes)
    {
        var spread = BytePerm(codes, 0, 0x4140);
        var bits = BitSelect(0x80008000u, spread << 8, (spread << 4) & 0x07F007F0u);
        var scaled = Bf16x2Mul(Bf16x2Mul(bits, 0x7F007F00u), 0x77007700u);
        return (BytePerm(scaled, scaled, 0x1010), BytePerm(scaled, scaled, 0x3232));
    }

    /// <summary>fp4_word_pairs: the four unscaled bf16 pairs (E2M1 · 2^-126 each) of one device word.</summary>
    public static uint[] WordPairs(uint word) =>
    [
        (word << 6) & PairBitsMask,
        (word << 3) & PairBitsMask,
        word & PairBitsMask,
        BitSelect(0x80008000u, word << 1, BitSelect(0x00C000C0u, word >> 4, (word >> 5) & 0x01000100u)),
    ];

    /// <summary>fp4_word_to_bf16: one device word times a scale pair, as the four bf16 pairs of a 16-byte chunk.</summary>
    public static uint[] WordToBf16(uint word, uint scalePair) => [.. WordPairs(word).Select(pair => Bf16x2Mul(pair, scalePair))];

    /// <summary>fp4_fragment_to_bf16: a fragment word and its two rows' bf16 scales (low half: row r) as A registers a0 .. a3.</summary>
    public static uint[] FragmentToBf16(uint word, uint scales)
    {
        var first = BytePerm(scales, scales, 0x1010);
        var second = BytePerm(scales, scales, 0x3232);
        var pairs = WordPairs(word);
        return [Bf16x2Mul(pairs[0], first), Bf16x2Mul(pairs[1], second), Bf16x2Mul(pairs[2], first), Bf16x2Mul(pairs[3], second)];
    }

    /// <summary>
    /// A stored NVFP4 fragment tile (5 KiB) as the bf16 A operand the consumer threads hand to wgmma (load_fragments):
    /// thread t converts word kk of its code record with word kk of its quad's scale record into its registers a0 .. a3
    /// of chunk kk (<see cref="FragmentOperand"/>).
    /// </summary>
    public static ushort[,] DequantFragmentTile(ReadOnlySpan<byte> stored)
    {
        var bytes = stored.ToArray();
        return FragmentOperand.Assemble((thread, kk) => FragmentToBf16(
            BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((16 * thread) + (4 * kk))),
            BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(TileGeometry.FragCodeBytes + (16 * (thread / 4)) + (4 * kk)))));
    }

    /// <summary>mul.rn.bf16x2: each half multiplied exactly and rounded once to bf16.</summary>
    public static uint Bf16x2Mul(uint a, uint b) =>
        Bf16.FromDouble((double)Bf16.ToFloat((ushort)a) * Bf16.ToFloat((ushort)b))
        | ((uint)Bf16.FromDouble((double)Bf16.ToFloat((ushort)(a >> 16)) * Bf16.ToFloat((ushort)(b >> 16))) << 16);

    /// <summary>fp4_convert_tile: a stored 9 KiB NVFP4 tile to the 32 KiB swizzled bf16 tile.</summary>
    public static byte[] DequantTile(ReadOnlySpan<byte> stored)
    {
        var tile = new byte[TileGeometry.BTileBytes];
        for (var unit = 0; unit < TileGeometry.TileCols * 2; unit++)
        {
            var row = unit >> 1;
            var half = unit & 1;
            var (low, high) = ScalePairs(BinaryPrimitives.ReadUInt16LittleEndian(stored[(TileGeometry.Fp4PackedBytes + (row * 4) + (half * 2))..]));
            for (var j = 0; j < 4; j++)
            {
                var word = BinaryPrimitives.ReadUInt32LittleEndian(stored[((row * 32) + (half * 16) + (j * 4))..]);
                var pairs = WordToBf16(word, j < 2 ? low : high);
                var chunk = tile.AsSpan(SwizzledTile.ChunkOffset(row, (half * 4) + j), SwizzledTile.ChunkBytes);
                for (var q = 0; q < 4; q++)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(chunk[(q * 4)..], pairs[q]);
                }
            }
        }

        return tile;
    }

    // prmt.b32: result byte i is byte (selector nibble i) of the 8 bytes {b, a} (a = bytes 0-3); selectors here are < 8.
    private static uint BytePerm(uint a, uint b, uint selector)
    {
        var bytes = ((ulong)b << 32) | a;
        uint result = 0;
        for (var i = 0; i < 4; i++)
        {
            var source = (int)((selector >> (4 * i)) & 7);
            result |= (uint)((bytes >> (8 * source)) & 0xFF) << (8 * i);
        }

        return result;
    }

    private static uint BitSelect(uint mask, uint ifSet, uint ifClear) => (ifSet & mask) | (ifClear & ~mask);
}
