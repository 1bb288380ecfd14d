using CsCheck;
using MoeTune.Reference.Formats;

namespace MoeTune.Reference.Tests.Formats;

/// <summary>The vectorised FP4 encoder and decoders against the scalar definitions.</summary>
public class Fp4BlocksTests
{
    // Every E2M1 value, every midpoint, and their float neighbours: the places where rounding can go wrong.
    private static readonly float[] Edges = Enumerable.Range(0, 16).Select(code => E2M1.Decode((byte)code))
        .Concat([0.25f, 0.75f, 1.25f, 1.75f, 2.5f, 3.5f, 5f, 7f, 1e9f])
        .SelectMany(v => new[] { v, -v, MathF.BitIncrement(v), MathF.BitDecrement(v), -MathF.BitIncrement(v) })
        .ToArray();

    [Fact]
    public void Encode_matches_the_scalar_encoder_at_every_edge()
    {
        var block = Edges.Concat(Enumerable.Repeat(0f, 16 - (Edges.Length % 16))).ToArray();
        var packed = new byte[block.Length / 2];
        Fp4Blocks.Encode(block, 1f, 1f, packed);
        for (var i = 0; i < block.Length; i++)
        {
            var code = (i & 1) == 0 ? E2M1.LowCode(packed[i / 2]) : E2M1.HighCode(packed[i / 2]);
            Assert.True(E2M1.Encode(block[i]) == code, $"{block[i]}: vector code {code}, scalar {E2M1.Encode(block[i])}");
        }
    }

    [Fact]
    public void Encode_evaluates_x_times_multiplier_over_divisor_like_the_scalar_path() =>
        Gen.Select(Gen.Float[-50, 50].Array[16], Gen.Float[0.1f, 10f], Gen.Float[0.01f, 10f]).Sample((block, multiplier, divisor) =>
        {
            var packed = new byte[8];
            Fp4Blocks.Encode(block, multiplier, divisor, packed);
            for (var i = 0; i < 16; i++)
            {
                var code = (i & 1) == 0 ? E2M1.LowCode(packed[i / 2]) : E2M1.HighCode(packed[i / 2]);
                Assert.Equal(E2M1.Encode(block[i] * multiplier / divisor), code);
            }
        });

    [Fact]
    public void Vectorised_and_portable_decoders_agree_in_float_and_double() =>
        Gen.Select(Gen.Byte.Array[64], Gen.Byte.Array[4]).Sample((packed, scaleCodes) =>
        {
            var scales = scaleCodes.Select(E4M3.Decode).Select(s => float.IsNaN(s) ? 1f : s).ToArray();
            var fast = new float[128];
            var portable = new float[128];
            Fp4Blocks.DecodeRow(packed, scales, 32, fast.AsSpan());
            Fp4Blocks.DecodeRowPortable(packed, scales, 32, portable.AsSpan());
            Assert.Equal(portable.Select(BitConverter.SingleToUInt32Bits), fast.Select(BitConverter.SingleToUInt32Bits));

            var fastDouble = new double[128];
            var portableDouble = new double[128];
            Fp4Blocks.DecodeRow(packed, scales, 32, fastDouble.AsSpan());
            Fp4Blocks.DecodeRowPortable(packed, scales, 32, portableDouble.AsSpan());
            Assert.Equal(portableDouble, fastDouble);
            Assert.Equal(portable.Select(v => (double)v), portableDouble);

            for (var i = 0; i < 128; i++)
            {
                var code = (i & 1) == 0 ? E2M1.LowCode(packed[i / 2]) : E2M1.HighCode(packed[i / 2]);
                Assert.Equal(E2M1.Decode(code) * scales[i / 32], portable[i]);
            }
        });

    [Fact]
    public void AbsMax_is_the_largest_magnitude() =>
        Gen.Float[-1e6f, 1e6f].Array[32].Sample(block => Fp4Blocks.AbsMax(block) == block.Max(MathF.Abs));
}
