using MoeTune.Reference.Formats;

namespace MoeTune.Reference.Tests.Formats;

public class E8M0Tests
{
    [Theory]
    [InlineData(127, 1f)]
    [InlineData(128, 2f)]
    [InlineData(126, 0.5f)]
    [InlineData(0, 5.877471754111438e-39f)] // 2^-127, a float subnormal
    [InlineData(254, 1.7014118346046923e38f)] // 2^127
    public void Decode_is_a_power_of_two(int code, float expected) => Assert.Equal(expected, E8M0.Decode((byte)code));

    [Fact]
    public void Byte_0xFF_is_NaN() => Assert.True(float.IsNaN(E8M0.Decode(0xFF)));

    [Fact]
    public void Every_exponent_encodes_to_the_byte_that_decodes_to_it()
    {
        for (var exponent = E8M0.MinExponent; exponent <= E8M0.MaxExponent; exponent++)
        {
            Assert.Equal(MathF.ScaleB(1f, exponent), E8M0.Decode(E8M0.EncodeExponent(exponent)));
        }
    }

    [Theory]
    [InlineData(-128)]
    [InlineData(128)]
    public void Exponents_outside_the_range_are_rejected(int exponent)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => E8M0.EncodeExponent(exponent));
        Assert.Equal("exponent", error.ParamName);
    }
}
