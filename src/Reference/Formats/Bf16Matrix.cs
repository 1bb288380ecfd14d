using System.Runtime.InteropServices;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;

namespace MoeTune.Reference.Formats;

/// <summary>bf16 weight matrices: two little-endian bytes per element, no scales, global scale 1.</summary>
public static class Bf16Matrix
{
    /// <summary>Rounds a row-major [rows, cols] matrix to bf16 (nearest even). Non-finite values are an <see cref="ArgumentException"/>.</summary>
    public static QuantizedMatrix FromFloat(ReadOnlySpan<float> values, int rows, int cols)
    {
        QuantizationInput.CheckedAbsMax(values, rows, cols, WeightFormat.Bf16);
        var data = new byte[values.Length * sizeof(ushort)];

        // Reinterpreting the bytes as ushorts writes them little-endian, as the format requires, on every
        // little-endian host (all that .NET and CUDA run on together).
        Bf16.FromFloat(values, MemoryMarshal.Cast<byte, ushort>(data.AsSpan()));
        return new QuantizedMatrix(WeightFormat.Bf16, rows, cols, data, [], 1f);
    }

    /// <summary>The bf16 elements of a bf16 matrix, row-major, without copying.</summary>
    public static ReadOnlySpan<ushort> Elements(QuantizedMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (matrix.Format != WeightFormat.Bf16)
        {
            throw new ArgumentException($"expected a bf16 matrix, got {matrix.Format.ToName()}", nameof(matrix));
        }

        return MemoryMarshal.Cast<byte, ushort>(matrix.Data.AsSpan());
    }
}
