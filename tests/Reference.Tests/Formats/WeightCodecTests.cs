using CsCheck;
using MoeTune.Abstractions.Problems;
using MoeTune.Reference.Formats;
using MoeTune.Reference.Tests.Support;

namespace MoeTune.Reference.Tests.Formats;

public class WeightCodecTests
{
    [Theory]
    [InlineData(WeightFormat.Bf16)]
    [InlineData(WeightFormat.Fp8)]
    [InlineData(WeightFormat.Nvfp4)]
    [InlineData(WeightFormat.Mxfp4)]
    public void Quantize_dispatches_to_the_formats_quantiser(WeightFormat format)
    {
        var values = Enumerable.Range(0, 2 * 64).Select(i => MathF.Sin(i) * 3).ToArray();
        var viaCodec = WeightCodec.Quantize(format, values, 2, 64);
        var direct = format switch
        {
            WeightFormat.Bf16 => Bf16Matrix.FromFloat(values, 2, 64),
            WeightFormat.Fp8 => Fp8.Quantize(values, 2, 64),
            WeightFormat.Nvfp4 => Nvfp4.Quantize(values, 2, 64),
            _ => Mxfp4.Quantize(values, 2, 64),
        };
        Assert.Equal(format, viaCodec.Format);
        Assert.Equal(direct.Data, viaCodec.Data);
        Assert.Equal(direct.Scales, viaCodec.Scales);
        Assert.Equal(direct.GlobalScale, viaCodec.GlobalScale);
    }

    [Fact]
    public void NVFP4_rows_are_e2m1_times_e4m3_times_global_in_float() =>
        RandomMatrices.WithBlocks(Nvfp4.BlockSize).Sample(matrix =>
        {
            var m = Nvfp4.Quantize(matrix.Values, matrix.Rows, matrix.Cols);
            var row = new float[m.Cols];
            var unscaled = new float[m.Cols];
            for (var r = 0; r < m.Rows; r++)
            {
                WeightCodec.DequantizeRow(m, r, row);
                WeightCodec.DequantizeRowUnscaled(m, r, unscaled);
                for (var c = 0; c < m.Cols; c++)
                {
                    var i = (r * m.Cols) + c;
                    var code = (c & 1) == 0 ? E2M1.LowCode(m.Data[i / 2]) : E2M1.HighCode(m.Data[i / 2]);
                    var product = E2M1.Decode(code) * E4M3.Decode(m.Scales[i / 16]);
                    Assert.Equal(product, unscaled[c]);
                    Assert.Equal(product * m.GlobalScale, row[c]);
                }
            }
        });

    [Theory]
    [InlineData(WeightFormat.Bf16)]
    [InlineData(WeightFormat.Fp8)]
    [InlineData(WeightFormat.Nvfp4)]
    [InlineData(WeightFormat.Mxfp4)]
    public void Unscaled_rows_in_double_are_the_float_rows_widened(WeightFormat format)
    {
        var values = Enumerable.Range(0, 3 * 64).Select(i => MathF.Sin(i * 0.7f) * (i % 5)).ToArray();
        var m = WeightCodec.Quantize(format, values, 3, 64);
        var asFloat = new float[64];
        var asDouble = new double[64];
        for (var r = 0; r < 3; r++)
        {
            WeightCodec.DequantizeRowUnscaled(m, r, asFloat);
            WeightCodec.DequantizeRowUnscaled(m, r, asDouble);
            Assert.Equal(asFloat.Select(v => (double)v), asDouble);
        }

        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => WeightCodec.DequantizeRowUnscaled(m, 0, new double[63])).ParamName);
    }

    [Fact]
    public void Bf16_matrices_store_little_endian_bf16_and_decode_exactly()
    {
        float[] values = [1f, -2.5f, 3.14159f, 1e-3f];
        var m = Bf16Matrix.FromFloat(values, 1, 4);
        Assert.Equal(new byte[] { 0x80, 0x3F }, m.Data[..2]);
        Assert.Equal(values.Select(v => Bf16.ToFloat(Bf16.FromFloat(v))), WeightCodec.Dequantize(m));
    }

    [Fact]
    public void Dequantize_is_every_row_in_order()
    {
        var values = Enumerable.Range(0, 3 * 32).Select(i => (float)Math.Cos(i)).ToArray();
        var m = Mxfp4.Quantize(values, 3, 32);
        var all = WeightCodec.Dequantize(m);
        var row = new float[32];
        for (var r = 0; r < 3; r++)
        {
            WeightCodec.DequantizeRow(m, r, row);
            Assert.Equal(row, all.AsSpan(r * 32, 32).ToArray());
        }
    }

    [Fact]
    public void Row_and_destination_errors_name_the_argument()
    {
        var m = Fp8.Quantize(new float[8], 2, 4);
        Assert.Equal("row", Assert.Throws<ArgumentOutOfRangeException>(() => WeightCodec.DequantizeRow(m, 2, new float[4])).ParamName);
        Assert.Equal("row", Assert.Throws<ArgumentOutOfRangeException>(() => WeightCodec.DequantizeRow(m, -1, new float[4])).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => WeightCodec.DequantizeRow(m, 0, new float[3])).ParamName);
    }
}
