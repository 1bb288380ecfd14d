using System.Buffers.Binary;
using MoeTune.Models.Numerics;

namespace MoeTune.Models.Tests.Numerics;

public sealed class CheckpointFloatsTests
{
    [Fact]
    public void F16_bytes_widen_exactly_then_round_once()
    {
        // Near 1 BF16 steps by 8·2^-10 and F16 by 2^-10: 1 + 4·2^-10 (0x3C04) is a tie → even 1.0 (0x3F80);
        // 1 + 5·2^-10 (0x3C05) is above it → 0x3F81; 1 + 12·2^-10 (0x3C0C) is a tie → even 0x3F82; F16 +inf → BF16 +inf.
        byte[] f16 = [0x04, 0x3C, 0x05, 0x3C, 0x0C, 0x3C, 0x00, 0x7C];
        var bf16 = new byte[8];

        CheckpointFloats.F16ToBf16(f16, bf16);

        Assert.Equal(new byte[] { 0x80, 0x3F, 0x81, 0x3F, 0x82, 0x3F, 0x80, 0x7F }, bf16);
    }

    [Theory]
    [InlineData(0x3F808000u, 0x3F80)] // tie, even below: stays
    [InlineData(0x3F818000u, 0x3F82)] // tie, odd below: rounds up to even
    [InlineData(0xBF808001u, 0xBF81)] // above the tie: away from zero
    [InlineData(0x7F800001u, 0x7FC0)] // a NaN whose payload would truncate to infinity stays NaN
    public void F32_bytes_round_to_nearest_even(uint f32Bits, int bf16Bits)
    {
        var f32 = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(f32, f32Bits);
        var bf16 = new byte[2];

        CheckpointFloats.F32ToBf16(f32, bf16);

        Assert.Equal((ushort)bf16Bits, BinaryPrimitives.ReadUInt16LittleEndian(bf16));
    }

    [Fact]
    public void Bf16_widens_exactly()
    {
        Assert.Equal(-1.5f, CheckpointFloats.Bf16ToSingle([0xC0, 0xBF]));
    }
}
