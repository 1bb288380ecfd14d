using MoeTune.Reference.Formats;

namespace MoeTune.Reference.Tests.Formats;

public class E2M1Tests
{
    private static readonly float[] Magnitudes = [0f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 6f];

    [Fact]
    public void Every_code_decodes_to_its_value()
    {
        for (byte code = 0; code < 16; code++)
        {
            var expected = code < 8 ? Magnitudes[code] : -Magnitudes[code - 8];
            Assert.Equal(expected, E2M1.Decode(code));
        }

        Assert.True(float.IsNegative(E2M1.Decode(8)), "code 8 is −0");
    }

    [Fact]
    public void Every_code_survives_decode_then_encode()
    {
        for (byte code = 0; code < 16; code++)
        {
            Assert.Equal(code, E2M1.Encode(E2M1.Decode(code)));
        }
    }

    [Theory]
    [InlineData(0.25f, 0)]
    [InlineData(0.75f, 2)]
    [InlineData(1.25f, 2)]
    [InlineData(1.75f, 4)]
    [InlineData(2.5f, 4)]
    [InlineData(3.5f, 6)]
    [InlineData(5f, 6)]
    public void Ties_go_to_the_even_code(float tie, byte expected)
    {
        Assert.Equal(expected, E2M1.Encode(tie));
        Assert.Equal((byte)(expected | 8), E2M1.Encode(-tie));
    }

    [Theory]
    [InlineData(0.2500001f, 1)]
    [InlineData(0.7499999f, 1)]
    [InlineData(1.2500001f, 3)]
    [InlineData(1.7499999f, 3)]
    [InlineData(2.5000002f, 5)]
    [InlineData(3.4999998f, 5)]
    [InlineData(5.0000005f, 7)]
    public void Values_off_a_tie_go_to_the_nearest_code(float value, byte expected) => Assert.Equal(expected, E2M1.Encode(value));

    [Theory]
    [InlineData(6.5f, 7)]
    [InlineData(1e30f, 7)]
    [InlineData(float.PositiveInfinity, 7)]
    [InlineData(-7f, 15)]
    [InlineData(float.NegativeInfinity, 15)]
    public void Magnitudes_beyond_six_clamp(float value, byte expected) => Assert.Equal(expected, E2M1.Encode(value));

    [Theory]
    [InlineData(-0f)]
    [InlineData(-0.1f)]
    [InlineData(-0.25f)]
    public void Negative_values_that_round_to_zero_keep_their_sign(float value) => Assert.Equal(8, E2M1.Encode(value));

    [Fact]
    public void NaN_has_no_code() => Assert.Throws<ArgumentException>(() => E2M1.Encode(float.NaN));

    [Fact]
    public void Decode_rejects_codes_wider_than_four_bits() => Assert.Throws<ArgumentOutOfRangeException>(() => E2M1.Decode(16));

    [Fact]
    public void Encode_is_the_nearest_code_for_a_dense_sweep()
    {
        for (var value = -7f; value <= 7f; value += 1f / 64)
        {
            var code = E2M1.Encode(value);
            var error = Math.Abs(E2M1.Decode(code) - Math.Clamp(value, -6f, 6f));
            for (byte other = 0; other < 16; other++)
            {
                Assert.True(error <= Math.Abs(E2M1.Decode(other) - Math.Clamp(value, -6f, 6f)), $"{value} -> code {code}, but code {other} is closer");
            }
        }
    }

    [Fact]
    public void Packing_puts_the_even_element_in_the_low_nibble()
    {
        var packed = E2M1.Pack(even: 0x3, odd: 0xC);
        Assert.Equal(0xC3, packed);
        Assert.Equal(0x3, E2M1.LowCode(packed));
        Assert.Equal(0xC, E2M1.HighCode(packed));
    }
}
