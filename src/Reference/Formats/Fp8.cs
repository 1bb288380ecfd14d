using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;

namespace MoeTune.Reference.Formats;

/// <summary>FP8 E4M3 weights with one FP32 dequantisation scale per matrix: x ≈ e4m3 × scale.</summary>
public static class Fp8
{
    /// <summary>
    /// Quantises a row-major [rows, cols] matrix in float32: <c>scale = amax / 448</c>, <c>q = e4m3(x / scale)</c>
    /// (round to nearest even, saturating at ±448). An all-zero matrix gets scale 1 and zero codes. Non-finite values,
    /// or a non-zero amax so small that amax/448 underflows to zero, are an <see cref="ArgumentException"/>.
    /// </summary>
    public static QuantizedMatrix Quantize(ReadOnlySpan<float> values, int rows, int cols)
    {
        var absMax = QuantizationInput.CheckedAbsMax(values, rows, cols, WeightFormat.Fp8);
        var data = new byte[values.Length];
        if (absMax == 0f)
        {
            return new QuantizedMatrix(WeightFormat.Fp8, rows, cols, data, [], 1f);
        }

        var scale = absMax / E4M3.MaxValue;
        QuantizationInput.RequireUsableScale(scale, absMax, WeightFormat.Fp8, nameof(values));
        for (var i = 0; i < values.Length; i++)
        {
            data[i] = E4M3.Encode(values[i] / scale);
        }

        return new QuantizedMatrix(WeightFormat.Fp8, rows, cols, data, [], scale);
    }
}
