using CsCheck;
using MoeTune.Reference.Formats;

namespace MoeTune.Reference.Tests.Formats;

public class E4M3Tests
{
    [Theory]
    [InlineData(0x00, 0f)]
    [InlineData(0x01, 0.001953125f)] // 2^-9, the smallest subnormal
    [InlineData(0x07, 0.013671875f)] // 7·2^-9, the largest subnormal
    [InlineData(0x08, 0.015625f)] // 2^-6, the smallest normal
    [InlineData(0x38, 1f)]
    [InlineData(0x39, 1.125f)]
    [InlineData(0x7E, 448f)]
    [InlineData(0xB8, -1f)]
    [InlineData(0xFE, -448f)]
    public void Decode_gives_the_fn_values(int code, float expected) => Assert.Equal(expected, E4M3.Decode((byte)code));

    [Fact]
    public void Only_0x7F_and_0xFF_are_NaN_and_they_carry_their_sign()
    {
        for (var code = 0; code < 256; code++)
        {
            Assert.Equal(code is 0x7F or 0xFF, float.IsNaN(E4M3.Decode((byte)code)));
        }

        Assert.False(float.IsNegative(E4M3.Decode(0x7F)));
        Assert.True(float.IsNegative(E4M3.Decode(0xFF)));
    }

    [Fact]
    public void Every_byte_survives_decode_then_encode_including_NaN_and_negative_zero()
    {
        for (var code = 0; code < 256; code++)
        {
            Assert.Equal((byte)code, E4M3.Encode(E4M3.Decode((byte)code)));
        }
    }

    [Theory]
    [InlineData(1.0625f, 0x38)] // between 1 (even) and 1.125: down
    [InlineData(1.1875f, 0x3A)] // between 1.125 and 1.25 (even): up
    [InlineData(0.0009765625f, 0x00)] // half the smallest subnormal: to zero
    [InlineData(0.0029296875f, 0x02)] // 1.5·2^-9: to 2·2^-9
    [InlineData(0.0146484375f, 0x08)] // 7.5·2^-9: up into the smallest normal
    [InlineData(432f, 0x7E)] // between 416 and 448 (even)
    public void Ties_go_to_even(float tie, int expected)
    {
        Assert.Equal((byte)expected, E4M3.Encode(tie));
        Assert.Equal((byte)(expected | 0x80), E4M3.Encode(-tie));
    }

    [Theory]
    [InlineData(448.1f, 0x7E)]
    [InlineData(479f, 0x7E)]
    [InlineData(1e10f, 0x7E)]
    [InlineData(float.PositiveInfinity, 0x7E)]
    [InlineData(float.NegativeInfinity, 0xFE)]
    public void Large_magnitudes_saturate(float value, int expected) => Assert.Equal((byte)expected, E4M3.Encode(value));

    [Fact]
    public void Encode_is_the_nearest_finite_code_ties_to_even() =>
        Gen.Select(Gen.Float[1, 2], Gen.Int[-12, 9], MathF.ScaleB).Sample(value =>
        {
            var code = E4M3.Encode(value);
            var error = Math.Abs(E4M3.Decode(code) - Math.Min(value, 448f));
            for (var other = 0; other < 0x7F; other++)
            {
                var otherError = Math.Abs(E4M3.Decode((byte)other) - Math.Min(value, 448f));
                var better = otherError < error || (otherError == error && (other & 1) == 0 && (code & 1) == 1);
                Assert.False(better, $"{value} -> 0x{code:X2}, but 0x{other:X2} is nearer (or as near and even)");
            }
        });
}
