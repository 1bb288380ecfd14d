using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;
using MoeTune.Reference.Formats;

namespace MoeTune.Plugins.Tests.Marlin;

/// <summary>FP4 matrices for layout tests: quantised from random values, or with every code and scale byte chosen.</summary>
internal static class TestMatrices
{
    /// <summary>Random N(0, 1) values quantised by the reference.</summary>
    public static QuantizedMatrix Quantized(WeightFormat format, int rows, int cols, int seed)
    {
        var random = new Random(seed);
        var values = new float[rows * cols];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() * 2.0 - 1.0) * MathF.Exp((float)random.NextDouble() * 4f - 2f);
        }

        return WeightCodec.Quantize(format, values, rows, cols);
    }

    /// <summary>Random codes (all sixteen, ±0 included) and block scales drawn from <paramref name="scaleCodes"/>.</summary>
    public static QuantizedMatrix Raw(WeightFormat format, int rows, int cols, IReadOnlyList<byte> scaleCodes, int seed, float globalScale = 1f)
    {
        var random = new Random(seed);
        var data = new byte[rows * cols / 2];
        random.NextBytes(data);
        var scales = new byte[rows * cols / format.BlockSize()];
        for (var i = 0; i < scales.Length; i++)
        {
            scales[i] = scaleCodes[random.Next(scaleCodes.Count)];
        }

        return new QuantizedMatrix(format, rows, cols, data, scales, format == WeightFormat.Nvfp4 ? globalScale : 1f);
    }

    /// <summary>Every finite E4M3 code: zeros, subnormals, normals, both signs.</summary>
    public static IReadOnlyList<byte> FiniteE4M3Codes { get; } =
        Enumerable.Range(0, 256).Where(c => (c & 0x7F) != 0x7F).Select(c => (byte)c).ToArray();
}
