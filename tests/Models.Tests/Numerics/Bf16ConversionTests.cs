using MoeTune.Models.Numerics;

namespace MoeTune.Models.Tests.Numerics;

public sealed class Bf16ConversionTests
{
    [Theory]
    [InlineData(0x3F800000u, 0x3F80)] // 1.0, exact
    [InlineData(0x3F808000u, 0x3F80)] // halfway, even below: stays
    [InlineData(0x3F818000u, 0x3F82)] // halfway, odd below: rounds up to even
    [InlineData(0x3F808001u, 0x3F81)] // just above halfway: up
    [InlineData(0x3F807FFFu, 0x3F80)] // just below halfway: down
    [InlineData(0xBF818000u, 0xBF82)] // sign does not change the rule
    [InlineData(0x7F7FFFFFu, 0x7F80)] // float max rounds to infinity, as torch does
    [InlineData(0x7F800000u, 0x7F80)] // +inf
    [InlineData(0xFF800000u, 0xFF80)] // -inf
    [InlineData(0x00000001u, 0x0000)] // the smallest subnormal rounds to zero
    [InlineData(0x80000000u, 0x8000)] // -0 keeps its sign
    public void Rounds_to_nearest_even(uint f32Bits, int expected)
    {
        Assert.Equal((ushort)expected, Bf16Conversion.FromSingle(BitConverter.UInt32BitsToSingle(f32Bits)));
    }

    [Theory]
    [InlineData(0x7FC00000u)]
    [InlineData(0x7F800001u)] // a signalling NaN whose payload would truncate to infinity
    [InlineData(0xFFFFFFFFu)]
    public void Nan_stays_nan(uint f32Bits)
    {
        var bf16 = Bf16Conversion.FromSingle(BitConverter.UInt32BitsToSingle(f32Bits));
        Assert.True(float.IsNaN(Bf16Conversion.ToSingle(bf16)));
    }

    [Fact]
    public void F16_bytes_widen_exactly_then_round_once()
    {
        // Near 1 BF16 steps by 8·2^-10 and F16 by 2^-10: 1 + 4·2^-10 (0x3C04) is a tie → even 1.0 (0x3F80);
        // 1 + 5·2^-10 (0x3C05) is above it → 0x3F81; 1 + 12·2^-10 (0x3C0C) is a tie → even 0x3F82; F16 +inf → BF16 +inf.
        byte[] f16 = [0x04, 0x3C, 0x05, 0x3C, 0x0C, 0x3C, 0x00, 0x7C];
        var bf16 = new byte[8];

        Bf16Conversion.FromF16Bytes(f16, bf16);

        Assert.Equal(new byte[] { 0x80, 0x3F, 0x81, 0x3F, 0x82, 0x3F, 0x80, 0x7F }, bf16);
    }

    [Fact]
    public void F32_bytes_convert_element_by_element()
    {
        var f32 = new byte[8];
        BitConverter.TryWriteBytes(f32.AsSpan(0), 1.5f);
        BitConverter.TryWriteBytes(f32.AsSpan(4), -2f);
        var bf16 = new byte[4];

        Bf16Conversion.FromF32Bytes(f32, bf16);

        Assert.Equal(new byte[] { 0xC0, 0x3F, 0x00, 0xC0 }, bf16);
    }
}
