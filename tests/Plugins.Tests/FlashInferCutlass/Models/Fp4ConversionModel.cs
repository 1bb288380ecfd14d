using System.Buffers.Binary;
using MoeTune.Plugins.FlashInferCutlass.Layout;
using MoeTune.Reference.Formats;

namespace MoeTune.Plugins.Tests.FlashInferCutlass.Models;

/// <summary>
/// The NVFP4 → bf16 conversion of <c>kernels/fic_fp4.cuh</c>, step for step in C#: the same bit constructions, the
/// bf16 pair product rounded to nearest even (bf16 subnormals kept, as the kernel relies on), the same work units.
/// </summary>
internal static class Fp4ConversionModel
{
    /// <summary>fp4_scale_pair: an E4M3 code as the bf16 pair {s · 2^118, s · 2^118}.</summary>
    public static uint ScalePair(uint code)
    {
        var exponent = (code >> 3) & 15u;
        var mantissa = code & 7u;
        var magnitude = exponent != 0
            ? BitConverter.UInt32BitsToSingle(((exponent + 238u) << 23) | (mantissa << 20))
            : MathF.ScaleB(mantissa, 109);
        var bits = (BitConverter.SingleToUInt32Bits(magnitude) >> 16) | ((code & 0x80u) << 8);
        return bits | (bits << 16);
    }

    /// <summary>fp4_pair_bits&lt;Q&gt;: elements (2q, 2q + 1) of a device-order word as bf16 bits E2M1 · 2^-126.</summary>
    public static uint PairBits(uint word, int q)
    {
        var magnitudeShift = 6 - (4 * q);
        var signShift = 12 - (4 * q);
        var magnitude = (magnitudeShift >= 0 ? word << magnitudeShift : word >> -magnitudeShift) & 0x01C001C0u;
        var sign = (word << signShift) & 0x80008000u;
        return magnitude | sign;
    }

    /// <summary>mul.rn.bf16x2: each half multiplied exactly and rounded once to bf16.</summary>
    public static uint Bf16x2Mul(uint a, uint b) =>
        Bf16.FromDouble((double)Bf16.ToFloat((ushort)a) * Bf16.ToFloat((ushort)b))
        | ((uint)Bf16.FromDouble((double)Bf16.ToFloat((ushort)(a >> 16)) * Bf16.ToFloat((ushort)(b >> 16))) << 16);

    /// <summary>fp4_dequant_tile: a stored 9 KiB NVFP4 tile to the 32 KiB swizzled bf16 tile.</summary>
    public static byte[] DequantTile(ReadOnlySpan<byte> stored)
    {
        var tile = new byte[TileGeometry.BTileBytes];
        for (var unit = 0; unit < TileGeometry.TileCols * 2; unit++)
        {
            var row = unit >> 1;
            var half = unit & 1;
            var scales = BinaryPrimitives.ReadUInt16LittleEndian(stored[(TileGeometry.Fp4PackedBytes + (row * 4) + (half * 2))..]);
            for (var j = 0; j < 4; j++)
            {
                var word = BinaryPrimitives.ReadUInt32LittleEndian(stored[((row * 32) + (half * 16) + (j * 4))..]);
                var scale = ScalePair(j < 2 ? scales & 0xFFu : (uint)scales >> 8);
                var chunk = tile.AsSpan(SwizzledTile.ChunkOffset(row, (half * 4) + j), SwizzledTile.ChunkBytes);
                for (var q = 0; q < 4; q++)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(chunk[(q * 4)..], Bf16x2Mul(PairBits(word, q), scale));
                }
            }
        }

        return tile;
    }
}
