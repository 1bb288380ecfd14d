using CsCheck;
using MoeTune.Reference.Formats;

namespace MoeTune.Reference.Tests.Formats;

public class Bf16Tests
{
    [Theory]
    [InlineData(1f, 0x3F80)]
    [InlineData(-2f, 0xC000)]
    [InlineData(0f, 0x0000)]
    [InlineData(-0f, 0x8000)]
    [InlineData(float.PositiveInfinity, 0x7F80)]
    [InlineData(float.NegativeInfinity, 0xFF80)]
    public void FromFloat_exact_values_keep_their_upper_bits(float value, int expected) =>
        Assert.Equal((ushort)expected, Bf16.FromFloat(value));

    [Theory]
    // 1 + 2^-8 lies halfway between 1 (even) and 1 + 2^-7 (odd): ties go to 1.
    [InlineData(0x3F808000u, 0x3F80)]
    // 1 + 3·2^-8 lies halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even): ties go up.
    [InlineData(0x3F818000u, 0x3F82)]
    // Just above the tie rounds up, just below rounds down.
    [InlineData(0x3F808001u, 0x3F81)]
    [InlineData(0x3F807FFFu, 0x3F80)]
    // Rounding up from the largest finite bf16's upper half overflows to infinity.
    [InlineData(0x7F7F8000u, 0x7F80)]
    // float.MaxValue lies above the largest bf16's midpoint towards 2^128.
    [InlineData(0x7F7FFFFFu, 0x7F80)]
    public void FromFloat_rounds_to_nearest_even(uint floatBits, int expected) =>
        Assert.Equal((ushort)expected, Bf16.FromFloat(BitConverter.UInt32BitsToSingle(floatBits)));

    [Theory]
    [InlineData(0x7FC00000u, 0x7FC0)]
    [InlineData(0xFFC00000u, 0xFFC0)]
    // A signalling NaN whose payload lies only in the discarded bits must not become infinity.
    [InlineData(0x7F800001u, 0x7FC0)]
    [InlineData(0xFF800001u, 0xFFC0)]
    public void FromFloat_keeps_NaN_a_quiet_NaN_with_its_sign(uint floatBits, int expected)
    {
        var result = Bf16.FromFloat(BitConverter.UInt32BitsToSingle(floatBits));
        Assert.Equal((ushort)expected, result);
        Assert.True(float.IsNaN(Bf16.ToFloat(result)));
    }

    [Fact]
    public void ToFloat_is_the_upper_half_of_the_float() =>
        Gen.UShort.Sample(bits => BitConverter.SingleToUInt32Bits(Bf16.ToFloat(bits)) == (uint)bits << 16);

    [Fact]
    public void Every_bf16_round_trips_through_float()
    {
        for (var bits = 0; bits <= ushort.MaxValue; bits++)
        {
            var value = Bf16.ToFloat((ushort)bits);
            var expected = float.IsNaN(value) ? (ushort)(bits | 0x0040) : (ushort)bits;
            Assert.Equal(expected, Bf16.FromFloat(value));
        }
    }

    [Fact]
    public void Span_conversions_match_the_scalar_ones_for_any_bits_and_length() =>
        Gen.UInt.Array[0, 100].Sample(floatBits =>
        {
            var source = floatBits.Select(BitConverter.UInt32BitsToSingle).ToArray();
            var bf16 = new ushort[source.Length];
            Bf16.FromFloat(source, bf16);
            Assert.Equal(source.Select(Bf16.FromFloat).ToArray(), bf16);

            var back = new float[bf16.Length];
            Bf16.ToFloat(bf16, back);
            Assert.Equal(bf16.Select(b => BitConverter.SingleToUInt32Bits(Bf16.ToFloat(b))), back.Select(BitConverter.SingleToUInt32Bits));
        });

    [Fact]
    public void Span_conversions_reject_a_destination_of_another_length()
    {
        var error = Assert.Throws<ArgumentException>(() => Bf16.FromFloat(new float[4], new ushort[3]));
        Assert.Equal("destination", error.ParamName);
        Assert.Throws<ArgumentException>(() => Bf16.ToFloat(new ushort[4], new float[5]));
    }

    [Fact]
    public void FromDouble_agrees_with_FromFloat_on_values_that_are_floats() =>
        Gen.UInt.Sample(bits =>
        {
            var value = BitConverter.UInt32BitsToSingle(bits);
            var viaDouble = Bf16.FromDouble(value);
            var viaFloat = Bf16.FromFloat(value);
            return viaDouble == viaFloat;
        });

    [Fact]
    public void FromDouble_rounds_once_where_going_through_float_would_round_twice()
    {
        // 1 + 2^-8 + 2^-40 is just above the tie between 1 and 1 + 2^-7, so it rounds up. Rounded to float first, the
        // 2^-40 is lost and the exact tie then rounds down to even.
        var value = 1.0 + Math.ScaleB(1.0, -8) + Math.ScaleB(1.0, -40);
        Assert.Equal(0x3F81, Bf16.FromDouble(value));
        Assert.Equal(0x3F80, Bf16.FromFloat((float)value));
    }

    [Theory]
    [InlineData(-133, 0x0001)] // the smallest bf16 subnormal
    [InlineData(-134, 0x0000)] // half of it: a tie, to even (zero)
    [InlineData(-126, 0x0080)] // the smallest normal
    [InlineData(128, 0x7F80)] // beyond the range: infinity
    public void FromDouble_handles_the_ends_of_the_range(int exponent, int expected) =>
        Assert.Equal((ushort)expected, Bf16.FromDouble(Math.ScaleB(1.0, exponent)));

    [Fact]
    public void FromDouble_is_the_nearest_bf16_for_random_doubles() =>
        Gen.Select(Gen.Double[1, 2], Gen.Int[-120, 120], Math.ScaleB).Sample(magnitude =>
        {
            // The bf16 neighbours of a normal double: its mantissa truncated to 7 bits, and one bf16 step above.
            const int Dropped = 52 - 7;
            var bits = BitConverter.DoubleToInt64Bits(magnitude);
            var down = BitConverter.Int64BitsToDouble(bits & ~((1L << Dropped) - 1));
            var up = BitConverter.Int64BitsToDouble((bits & ~((1L << Dropped) - 1)) + (1L << Dropped));
            var downIsEven = ((bits >> Dropped) & 1) == 0;
            var expected = (magnitude - down).CompareTo(up - magnitude) switch
            {
                < 0 => down,
                > 0 => up,
                _ => downIsEven ? down : up,
            };
            Assert.Equal(expected, Bf16.ToFloat(Bf16.FromDouble(magnitude)));
            Assert.Equal(-expected, Bf16.ToFloat(Bf16.FromDouble(-magnitude)));
        });

    [Fact]
    public void FromDouble_keeps_NaN_and_the_sign_of_zero()
    {
        Assert.True(float.IsNaN(Bf16.ToFloat(Bf16.FromDouble(double.NaN))));
        Assert.Equal(0x8000, Bf16.FromDouble(-0.0));
        Assert.Equal(0xFF80, Bf16.FromDouble(double.NegativeInfinity));
    }
}
