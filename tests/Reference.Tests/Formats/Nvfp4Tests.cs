using CsCheck;
using MoeTune.Abstractions.Problems;
using MoeTune.Reference.Formats;
using MoeTune.Reference.Tests.Support;

namespace MoeTune.Reference.Tests.Formats;

public class Nvfp4Tests
{
    [Fact]
    public void Layout_is_ModelOpts_even_element_low_nibble_and_scales_rows_by_blocks()
    {
        // amax 2688 makes G = 6·448/amax exactly 1, so block scales are amax_block/6 and codes are x/scale.
        var values = new float[2 * 32];
        values[0] = 0.5f; // row 0, block 0: amax 6 → scale 1 (0x38); 0.5 → code 1
        values[1] = -3f; //  → code 0xD
        values[2] = 6f;
        values[16] = 12f; // row 0, block 1: amax 12 → scale 2 (0x40); 12/2 = 6 → code 7
        values[17] = 1f; //  1/2 = 0.5 → code 1
        values[32] = 2688f; // row 1, block 0: amax 2688 → scale 448 (0x7E); → code 7
        values[33] = -448f; //  -448/448 = -1 → code 0xA
        //                     row 1, block 1: all zero → scale 0, codes 0

        var m = Nvfp4.Quantize(values, 2, 32);

        Assert.Equal(WeightFormat.Nvfp4, m.Format);
        Assert.Equal(1f, m.GlobalScale);
        Assert.Equal(new byte[] { 0x38, 0x40, 0x7E, 0x00 }, m.Scales);
        Assert.Equal(32, m.Data.Length);
        Assert.Equal(0xD1, m.Data[0]);
        Assert.Equal(0x07, m.Data[1]);
        Assert.Equal(0x17, m.Data[8]);
        Assert.Equal(0xA7, m.Data[16]);
        Assert.All(m.Data.AsSpan(24, 8).ToArray(), b => Assert.Equal(0, b));
    }

    [Fact]
    public void Global_scale_is_the_inverse_of_G()
    {
        var values = new float[16];
        values[3] = -0.37f;
        var m = Nvfp4.Quantize(values, 1, 16);
        var g = 2688f / 0.37f;
        Assert.Equal(1f / g, m.GlobalScale);
        Assert.Equal(E4M3.Encode(g * 0.37f / 6f), m.Scales[0]);
        Assert.Equal(-0.37f, WeightCodec.Dequantize(m)[3], 0.37f * 1e-6f);
    }

    [Fact]
    public void An_all_zero_matrix_has_global_scale_one_and_no_NaN()
    {
        var m = Nvfp4.Quantize(new float[64], 2, 32);
        Assert.Equal(1f, m.GlobalScale);
        Assert.All(m.Scales, s => Assert.Equal(0, s));
        Assert.All(m.Data, d => Assert.Equal(0, d));
        Assert.All(WeightCodec.Dequantize(m), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void A_block_too_small_for_an_E4M3_scale_becomes_zero_not_NaN()
    {
        var values = new float[32];
        values[0] = 1f;
        values[16] = 1e-7f; // G·amax_block/6 = 448e-7 is far below E4M3's smallest subnormal
        values[17] = -1e-7f;
        var m = Nvfp4.Quantize(values, 1, 32);
        Assert.Equal(0, m.Scales[1]);
        Assert.All(WeightCodec.Dequantize(m).AsSpan(16).ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Dequantisation_error_stays_within_the_format_bound() =>
        RandomMatrices.WithBlocks(Nvfp4.BlockSize).Sample(matrix =>
        {
            // With G = 2688/amax, a block whose exact scale is t = G·amax_block/6 is stored as s = e4m3(t). An element
            // x becomes y = x·G/s in E2M1 units. Where |y| <= 6 the error is at most half an E2M1 step at |y|, times
            // s/G. Where s < t (the scale rounded down, or to zero) |y| can exceed 6 and clamps, adding at most
            // |x| − 6s/G <= 6(t − s)/G: the E4M3 scale's own rounding. Float arithmetic adds a few ulps.
            var m = Nvfp4.Quantize(matrix.Values, matrix.Rows, matrix.Cols);
            var decoded = WeightCodec.Dequantize(m);
            var amax = matrix.Values.Max(Math.Abs);
            if (amax == 0)
            {
                Assert.All(decoded, v => Assert.Equal(0f, v));
                return;
            }

            double g = 2688f / amax;
            for (var i = 0; i < decoded.Length; i++)
            {
                var block = i / Nvfp4.BlockSize;
                var blockMax = matrix.Values.AsSpan(block * Nvfp4.BlockSize, Nvfp4.BlockSize).ToArray().Max(Math.Abs);
                var t = g * blockMax / 6;
                double s = E4M3.Decode(m.Scales[block]);
                var x = (double)matrix.Values[i];
                var y = s == 0 ? 0 : Math.Abs(x) * g / s;
                var bound = (s / g * E2M1Steps.HalfStep(Math.Min(y, 6))) + (6 * Math.Abs(t - s) / g) + (1e-6 * Math.Abs(x));
                Assert.True(Math.Abs(decoded[i] - x) <= bound, $"element {i}: {x} decoded as {decoded[i]}, bound {bound}");
            }
        });

    [Fact]
    public void Every_decoded_element_re_encodes_to_its_code_under_the_stored_scales() =>
        RandomMatrices.WithBlocks(Nvfp4.BlockSize).Sample(matrix =>
        {
            var m = Nvfp4.Quantize(matrix.Values, matrix.Rows, matrix.Cols);
            var decoded = WeightCodec.Dequantize(m);
            var g = 1f / m.GlobalScale;
            for (var i = 0; i < decoded.Length; i++)
            {
                var scale = E4M3.Decode(m.Scales[i / Nvfp4.BlockSize]);
                var code = (i & 1) == 0 ? E2M1.LowCode(m.Data[i / 2]) : E2M1.HighCode(m.Data[i / 2]);
                Assert.Equal(code, scale == 0 ? (byte)0 : E2M1.Encode(decoded[i] * g / scale));
            }
        });

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Non_finite_values_are_rejected_with_their_position(float bad)
    {
        var values = new float[32];
        values[21] = bad;
        var error = Assert.Throws<ArgumentException>(() => Nvfp4.Quantize(values, 2, 16));
        Assert.Equal("values", error.ParamName);
        Assert.Contains("values[21] (row 1, column 5)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Shapes_that_do_not_fit_are_rejected_naming_the_argument()
    {
        Assert.Equal("cols", Assert.Throws<ArgumentException>(() => Nvfp4.Quantize(new float[24], 1, 24)).ParamName);
        Assert.Equal("values", Assert.Throws<ArgumentException>(() => Nvfp4.Quantize(new float[31], 1, 32)).ParamName);
        Assert.Equal("rows", Assert.Throws<ArgumentOutOfRangeException>(() => Nvfp4.Quantize([], 0, 16)).ParamName);
    }

    [Fact]
    public void A_matrix_too_small_for_an_FP32_global_scale_is_rejected()
    {
        var values = new float[16];
        values[0] = 1e-40f; // 2688/amax overflows FP32
        Assert.Equal("values", Assert.Throws<ArgumentException>(() => Nvfp4.Quantize(values, 1, 16)).ParamName);
    }
}
