using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;
using MoeTune.Plugins.Marlin.Layout;
using MoeTune.Reference.Formats;

namespace MoeTune.Plugins.Tests.Marlin;

public sealed class ScaleTranscoderTests
{
    [Fact]
    public void Every_finite_e4m3_scale_becomes_its_magnitude_times_2_to_the_106()
    {
        for (var code = 0; code < 256; code++)
        {
            if ((code & 0x7F) == 0x7F)
            {
                continue;
            }

            var block = ScaleTranscoder.For(Nvfp4Row((byte)code), "m").Transcode(0, 0);
            var value = E4M3.Decode((byte)code);
            if (value == 0)
            {
                Assert.Equal(BlockCodes.Zero, block.Codes);
                continue;
            }

            Assert.Equal(value < 0 ? BlockCodes.Negate : BlockCodes.Keep, block.Codes);
            var decoded = DeviceModel.Bf16Value(DeviceModel.ScaleByteToBf16(block.Scale, WeightFormat.Nvfp4));
            Assert.Equal(Math.Abs((double)value) * Math.ScaleB(1.0, 106), decoded);
        }
    }

    [Theory]
    [InlineData(0x7F)]
    [InlineData(0xFF)]
    public void A_nan_e4m3_scale_is_an_error_naming_the_block(byte code)
    {
        var error = Assert.Throws<ArgumentException>(() => ScaleTranscoder.For(Nvfp4Row(code), "expert 5 W2").Transcode(0, 0));
        Assert.Contains("expert 5 W2", error.Message, StringComparison.Ordinal);
        Assert.Contains("row 0, block 0", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(1f / 2688f)]
    [InlineData(-0.5f)]
    public void The_nvfp4_epilogue_restores_the_global_scale_and_the_decode_power_of_two(float global) =>
        Assert.Equal(global * 1048576f, ScaleTranscoder.For(Nvfp4Row(0x38, global), "m").EpilogueFactor);

    [Fact]
    public void A_global_scale_that_overflows_with_2_to_the_20_is_refused() =>
        Assert.Throws<ArgumentException>(() => ScaleTranscoder.For(Nvfp4Row(0x38, 3e38f), "m"));

    [Fact]
    public void Mxfp4_scales_shift_so_that_the_largest_non_zero_block_decodes_to_2_to_the_127()
    {
        // Blocks: e = 120 (codes non-zero), e = 130 (non-zero), e = 200 (all codes zero: ignored).
        var matrix = Mxfp4Matrix([120, 130, 200], [true, true, false]);
        var transcoder = ScaleTranscoder.For(matrix, "m");
        Assert.Equal(MathF.ScaleB(1f, 130 - 128), transcoder.EpilogueFactor);
        var largest = transcoder.Transcode(0, 1);
        Assert.Equal(BlockCodes.Keep, largest.Codes);
        Assert.Equal(Math.ScaleB(1.0, 127), DeviceModel.Bf16Value(DeviceModel.ScaleByteToBf16(largest.Scale, WeightFormat.Mxfp4)));
        var smaller = transcoder.Transcode(0, 0);
        Assert.Equal(Math.ScaleB(1.0, 117), DeviceModel.Bf16Value(DeviceModel.ScaleByteToBf16(smaller.Scale, WeightFormat.Mxfp4)));
        Assert.Equal(BlockCodes.Zero, transcoder.Transcode(0, 2).Codes);
    }

    [Fact]
    public void Mxfp4_blocks_more_than_126_binades_below_the_largest_are_zeroed()
    {
        var transcoder = ScaleTranscoder.For(Mxfp4Matrix([254, 128, 127], [true, true, true]), "m");
        Assert.Equal(BlockCodes.Keep, transcoder.Transcode(0, 1).Codes);   // 254 - 126
        Assert.Equal(BlockCodes.Zero, transcoder.Transcode(0, 2).Codes);   // 254 - 127
    }

    [Fact]
    public void A_nan_e8m0_scale_is_an_error() =>
        Assert.Throws<ArgumentException>(() => ScaleTranscoder.For(Mxfp4Matrix([120, 255], [true, true]), "m"));

    [Fact]
    public void An_all_zero_mxfp4_matrix_zeroes_every_block()
    {
        var transcoder = ScaleTranscoder.For(Mxfp4Matrix([3, 90], [false, false]), "m");
        Assert.Equal(BlockCodes.Zero, transcoder.Transcode(0, 0).Codes);
        Assert.Equal(BlockCodes.Zero, transcoder.Transcode(0, 1).Codes);
    }

    [Fact]
    public void Other_formats_are_refused() =>
        Assert.Throws<ArgumentException>(() => ScaleTranscoder.For(Bf16Matrix.FromFloat(new float[64], 1, 64), "m"));

    private static QuantizedMatrix Nvfp4Row(byte scale, float global = 1f) =>
        new(WeightFormat.Nvfp4, 1, 16, Enumerable.Repeat((byte)0x21, 8).ToArray(), [scale], global);

    private static QuantizedMatrix Mxfp4Matrix(byte[] scales, bool[] nonZero)
    {
        var data = new byte[scales.Length * 16];
        for (var b = 0; b < scales.Length; b++)
        {
            if (nonZero[b])
            {
                data[(b * 16) + 3] = 0x07;
            }
        }

        return new QuantizedMatrix(WeightFormat.Mxfp4, 1, 32 * scales.Length, data, scales, 1f);
    }
}
