using CsCheck;
using MoeTune.Abstractions.Problems;
using MoeTune.Reference.Formats;
using MoeTune.Reference.Tests.Support;

namespace MoeTune.Reference.Tests.Formats;

public class Fp8Tests
{
    [Fact]
    public void Scale_is_amax_over_448_and_amax_maps_to_448()
    {
        float[] values = [1f, -2f, 0.5f, 4.48f];
        var m = Fp8.Quantize(values, 2, 2);
        Assert.Equal(WeightFormat.Fp8, m.Format);
        Assert.Equal(4.48f / 448f, m.GlobalScale);
        Assert.Empty(m.Scales);
        Assert.Equal(E4M3.MaxCode, m.Data[3]);
        Assert.Equal(E4M3.Encode(-2f / (4.48f / 448f)), m.Data[1]);
    }

    [Fact]
    public void An_all_zero_matrix_has_scale_one() => Assert.Equal(1f, Fp8.Quantize(new float[4], 1, 4).GlobalScale);

    [Fact]
    public void Dequantisation_error_is_at_most_half_an_E4M3_step() =>
        RandomMatrices.WithBlocks(1).Sample(matrix =>
        {
            // In units of the scale, E4M3 normals (>= 2^-6) are spaced 2^(floor(log2 y) − 3) and subnormals 2^-9, so
            // rounding errs by half of that; the dequantising multiply adds one float rounding.
            var m = Fp8.Quantize(matrix.Values, matrix.Rows, matrix.Cols);
            var decoded = WeightCodec.Dequantize(m);
            double s = m.GlobalScale;
            for (var i = 0; i < decoded.Length; i++)
            {
                var x = (double)matrix.Values[i];
                var y = Math.Abs(x) / s;
                var halfStep = y >= 1.0 / 64 ? Math.ScaleB(1.0, Math.ILogB(y) - 4) : Math.ScaleB(1.0, -10);
                var bound = (s * halfStep * (1 + 1e-6)) + (Math.Abs(x) * 1e-6);
                Assert.True(Math.Abs(decoded[i] - x) <= bound, $"element {i}: {x} decoded as {decoded[i]}, bound {bound}");
            }
        });
}
