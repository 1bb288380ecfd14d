using System.Buffers.Binary;
using MoeTune.Reference.Formats;

namespace MoeTune.Models.Numerics;

/// <summary>
/// Little-endian float elements of a checkpoint converted with the Reference's BF16 rule (round to nearest, ties to
/// even, NaN kept quiet). F16 widens to F32 exactly first, so F16→BF16 rounds once.
/// </summary>
internal static class CheckpointFloats
{
    /// <summary>F32 elements to BF16 elements.</summary>
    public static void F32ToBf16(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        for (var i = 0; i < source.Length / 4; i++)
        {
            var value = BinaryPrimitives.ReadSingleLittleEndian(source[(4 * i)..]);
            BinaryPrimitives.WriteUInt16LittleEndian(destination[(2 * i)..], Bf16.FromFloat(value));
        }
    }

    /// <summary>F16 elements to BF16 elements.</summary>
    public static void F16ToBf16(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        for (var i = 0; i < source.Length / 2; i++)
        {
            var value = (float)BinaryPrimitives.ReadHalfLittleEndian(source[(2 * i)..]);
            BinaryPrimitives.WriteUInt16LittleEndian(destination[(2 * i)..], Bf16.FromFloat(value));
        }
    }

    /// <summary>One BF16 element, widened exactly.</summary>
    public static float Bf16ToSingle(ReadOnlySpan<byte> source) => Bf16.ToFloat(BinaryPrimitives.ReadUInt16LittleEndian(source));
}
