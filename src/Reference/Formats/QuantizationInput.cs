using System.Numerics.Tensors;
using MoeTune.Abstractions.Problems;

namespace MoeTune.Reference.Formats;

/// <summary>The checks every quantiser makes on its input before touching it.</summary>
internal static class QuantizationInput
{
    /// <summary>
    /// Checks that <paramref name="values"/> is a finite [rows, cols] matrix that <paramref name="format"/> can hold,
    /// and returns its largest magnitude.
    /// </summary>
    public static float CheckedAbsMax(ReadOnlySpan<float> values, int rows, int cols, WeightFormat format)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cols);
        var block = Math.Max(format.BlockSize(), format.ElementBits() == 4 ? 2 : 1);
        if (cols % block != 0)
        {
            throw new ArgumentException($"{format.ToName()} needs the column count (K) divisible by {block}, got {cols}", nameof(cols));
        }

        if (values.Length != (long)rows * cols)
        {
            throw new ArgumentException($"expected {(long)rows * cols} values for [{rows}, {cols}], got {values.Length}", nameof(values));
        }

        var absMax = Math.Abs(TensorPrimitives.MaxMagnitude(values));
        if (!float.IsFinite(absMax))
        {
            var index = FirstNonFinite(values);
            throw new ArgumentException(
                $"values[{index}] (row {index / cols}, column {index % cols}) is {values[index]}; only finite values can be quantised",
                nameof(values));
        }

        return absMax;
    }

    /// <summary>
    /// Throws unless the FP32 scale derived from a non-zero <paramref name="absMax"/> is finite and non-zero: a tensor
    /// whose largest magnitude is that close to zero has no FP32 scale that maps it onto the format.
    /// </summary>
    public static void RequireUsableScale(float scale, float absMax, WeightFormat format, string valuesName)
    {
        if (!float.IsFinite(scale) || scale == 0f)
        {
            throw new ArgumentException(
                $"values: largest magnitude {absMax} is too small for a finite, non-zero FP32 {format.ToName()} scale", valuesName);
        }
    }

    private static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
