using CsCheck;
using MoeTune.Abstractions.Problems;
using MoeTune.Reference.Formats;
using MoeTune.Reference.Tests.Support;

namespace MoeTune.Reference.Tests.Formats;

public class Mxfp4Tests
{
    [Fact]
    public void Layout_and_shared_exponent_follow_OCP_MX()
    {
        var values = new float[2 * 64];
        values[0] = 6f; // row 0, block 0: floor(log2 6) − 2 = 0 → byte 127; 6 → code 7
        values[1] = 0.5f; //  → code 1
        values[32] = 7f; // row 0, block 1: floor(log2 7) − 2 = 0 → 7 clamps to 6: code 7
        values[33] = -5f; //  a tie: → −4, code 0xE
        values[96] = 0.75f; // row 1, block 1: floor(log2 0.75) − 2 = −3 → byte 124; 0.75·8 = 6 → code 7
        values[97] = -0.25f; //  −0.25·8 = −2 → code 0xC
        //                     row 1, block 0: all zero → exponent −127, byte 0

        var m = Mxfp4.Quantize(values, 2, 64);

        Assert.Equal(WeightFormat.Mxfp4, m.Format);
        Assert.Equal(1f, m.GlobalScale);
        Assert.Equal(new byte[] { 127, 127, 0, 124 }, m.Scales);
        Assert.Equal(0x17, m.Data[0]);
        Assert.Equal(0xE7, m.Data[16]);
        Assert.All(m.Data.AsSpan(32, 16).ToArray(), b => Assert.Equal(0, b));
        Assert.Equal(0xC7, m.Data[48]);
        Assert.Equal([6f, 0.5f], WeightCodec.Dequantize(m)[..2]);
    }

    [Fact]
    public void Dequantisation_error_stays_within_the_format_bound() =>
        RandomMatrices.WithBlocks(Mxfp4.BlockSize).Sample(matrix =>
        {
            // The scale s = 2^e is exact and x/s = y is exact, with |y| < 8 since e = floor(log2 amax_block) − 2. Where
            // |y| <= 6 the error is at most half an E2M1 step at |y|, times s; above 6 the clamp adds |y| − 6 (< 2) times s.
            var m = Mxfp4.Quantize(matrix.Values, matrix.Rows, matrix.Cols);
            var decoded = WeightCodec.Dequantize(m);
            for (var i = 0; i < decoded.Length; i++)
            {
                double s = E8M0.Decode(m.Scales[i / Mxfp4.BlockSize]);
                var x = (double)matrix.Values[i];
                var y = Math.Abs(x) / s;
                Assert.True(y < 8, $"element {i}: |x|/scale = {y} should be below 8");
                var bound = s * (E2M1Steps.HalfStep(Math.Min(y, 6)) + Math.Max(0, y - 6));
                Assert.True(Math.Abs(decoded[i] - x) <= bound, $"element {i}: {x} decoded as {decoded[i]}, bound {bound}");
            }
        });

    [Fact]
    public void Quantising_a_dequantised_matrix_gives_the_same_bytes() =>
        RandomMatrices.WithBlocks(Mxfp4.BlockSize).Sample(matrix =>
        {
            var m = Mxfp4.Quantize(matrix.Values, matrix.Rows, matrix.Cols);
            var again = Mxfp4.Quantize(WeightCodec.Dequantize(m), matrix.Rows, matrix.Cols);
            Assert.Equal(m.Scales, again.Scales);
            Assert.Equal(m.Data.Select(NormaliseZero), again.Data.Select(NormaliseZero));
        });

    [Fact]
    public void Tiny_blocks_clamp_the_exponent_to_E8M0s_range()
    {
        var values = new float[32];
        values[0] = 1e-45f; // the smallest float subnormal, 2^-149: floor(log2) − 2 = −151 clamps to −127
        var m = Mxfp4.Quantize(values, 1, 32);
        Assert.Equal(0, m.Scales[0]);
    }

    // −0 (code 8) dequantises to −0, which is a zero like +0; either code is a faithful re-encoding of it.
    private static byte NormaliseZero(byte packed) =>
        E2M1.Pack((byte)(E2M1.LowCode(packed) == 8 ? 0 : E2M1.LowCode(packed)), (byte)(E2M1.HighCode(packed) == 8 ? 0 : E2M1.HighCode(packed)));
}
