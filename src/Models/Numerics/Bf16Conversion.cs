using System.Buffers.Binary;

namespace MoeTune.Models.Numerics;

/// <summary>
/// Conversions of checkpoint floats to bfloat16 bits: round to nearest, ties to even (the rounding PyTorch's
/// <c>.to(torch.bfloat16)</c> applies), NaN kept NaN (quiet), infinities kept. F16 widens to F32 exactly first, so
/// F16→BF16 rounds once.
/// </summary>
internal static class Bf16Conversion
{
    public static ushort FromSingle(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value)) return (ushort)((bits >> 16) | 0x0040);
        var roundingBias = 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)((bits + roundingBias) >> 16);
    }

    public static float ToSingle(ushort bf16) => BitConverter.UInt32BitsToSingle((uint)bf16 << 16);

    /// <summary>Little-endian F32 elements to little-endian BF16 elements.</summary>
    public static void FromF32Bytes(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        for (var i = 0; i < source.Length / 4; i++)
        {
            var value = BinaryPrimitives.ReadSingleLittleEndian(source[(4 * i)..]);
            BinaryPrimitives.WriteUInt16LittleEndian(destination[(2 * i)..], FromSingle(value));
        }
    }

    /// <summary>Little-endian F16 elements to little-endian BF16 elements.</summary>
    public static void FromF16Bytes(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        for (var i = 0; i < source.Length / 2; i++)
        {
            var value = (float)BinaryPrimitives.ReadHalfLittleEndian(source[(2 * i)..]);
            BinaryPrimitives.WriteUInt16LittleEndian(destination[(2 * i)..], FromSingle(value));
        }
    }
}
