using System.Numerics;
using System.Runtime.InteropServices;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;

namespace MoeTune.Reference.Formats;

/// <summary>The one dispatch point from <see cref="WeightFormat"/> to its quantiser and decoder.</summary>
public static class WeightCodec
{
    /// <summary>Quantises a row-major [rows, cols] float matrix into <paramref name="format"/>.</summary>
    public static QuantizedMatrix Quantize(WeightFormat format, ReadOnlySpan<float> values, int rows, int cols) => format switch
    {
        WeightFormat.Bf16 => Bf16Matrix.FromFloat(values, rows, cols),
        WeightFormat.Fp8 => Fp8.Quantize(values, rows, cols),
        WeightFormat.Nvfp4 => Nvfp4.Quantize(values, rows, cols),
        WeightFormat.Mxfp4 => Mxfp4.Quantize(values, rows, cols),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown weight format"),
    };

    /// <summary>
    /// Writes one row's elements without the per-matrix global scale: bf16 values, e4m3 codes (FP8), or
    /// e2m1 × block scale (NVFP4, MXFP4). Every one is exact in float, and its product with a bf16 activation has at
    /// most 16 significant bits (14 for NVFP4: 8 + 2 + 4), exact in float barring underflow, which is why kernels can
    /// apply the global scale once per dot product.
    /// </summary>
    public static void DequantizeRowUnscaled(QuantizedMatrix matrix, int row, Span<float> destination) =>
        DecodeUnscaled(matrix, row, destination);

    /// <summary>As <see cref="DequantizeRowUnscaled(QuantizedMatrix, int, Span{float})"/>, widened to double (still exact).</summary>
    public static void DequantizeRowUnscaled(QuantizedMatrix matrix, int row, Span<double> destination) =>
        DecodeUnscaled(matrix, row, destination);

    /// <summary>
    /// Writes one row's dequantised values: the unscaled element (exact) times the matrix's global scale, one float
    /// rounding per element. For NVFP4 that is <c>(e2m1 × e4m3) × global</c>. BF16 and MXFP4 matrices carry global
    /// scale 1, so their rows are exact.
    /// </summary>
    public static void DequantizeRow(QuantizedMatrix matrix, int row, Span<float> destination)
    {
        DequantizeRowUnscaled(matrix, row, destination);
        var global = matrix.GlobalScale;
        if (global != 1f)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(destination, global, destination);
        }
    }

    /// <summary>The whole matrix dequantised, row-major (see <see cref="DequantizeRow"/>).</summary>
    public static float[] Dequantize(QuantizedMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var result = new float[(long)matrix.Rows * matrix.Cols];
        for (var row = 0; row < matrix.Rows; row++)
        {
            DequantizeRow(matrix, row, result.AsSpan(row * matrix.Cols, matrix.Cols));
        }

        return result;
    }

    private static void DecodeUnscaled<T>(QuantizedMatrix matrix, int row, Span<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckRow(matrix, row, destination.Length, nameof(destination));
        var cols = matrix.Cols;
        switch (matrix.Format)
        {
            case WeightFormat.Bf16:
                var elements = Bf16Matrix.Elements(matrix).Slice(row * cols, cols);
                if (typeof(T) == typeof(float))
                {
                    Bf16.ToFloat(elements, MemoryMarshal.Cast<T, float>(destination));
                }
                else
                {
                    for (var i = 0; i < cols; i++)
                    {
                        destination[i] = T.CreateTruncating(Bf16.ToFloat(elements[i]));
                    }
                }

                break;
            case WeightFormat.Fp8:
                var codes = matrix.Data.AsSpan(row * cols, cols);
                for (var i = 0; i < cols; i++)
                {
                    destination[i] = T.CreateTruncating(E4M3.Decode(codes[i]));
                }

                break;
            case WeightFormat.Nvfp4:
                DecodeFp4Row(matrix, row, Nvfp4.BlockSize, E4M3.Decode, destination);
                break;
            case WeightFormat.Mxfp4:
                DecodeFp4Row(matrix, row, Mxfp4.BlockSize, E8M0.Decode, destination);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(matrix), matrix.Format, "unknown weight format");
        }
    }

    private static void DecodeFp4Row<T>(QuantizedMatrix matrix, int row, int blockSize, Func<byte, float> decodeScale, Span<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var cols = matrix.Cols;
        var blocks = cols / blockSize;
        Span<float> blockScales = blocks <= 1024 ? stackalloc float[blocks] : new float[blocks];
        var scaleCodes = matrix.Scales.AsSpan(row * blocks, blocks);
        for (var b = 0; b < blocks; b++)
        {
            blockScales[b] = decodeScale(scaleCodes[b]);
        }

        Fp4Blocks.DecodeRow(matrix.Data.AsSpan(row * (cols / 2), cols / 2), blockScales, blockSize, destination);
    }

    private static void CheckRow(QuantizedMatrix matrix, int row, int destinationLength, string destinationName)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if ((uint)row >= (uint)matrix.Rows)
        {
            throw new ArgumentOutOfRangeException(nameof(row), row, $"the matrix has {matrix.Rows} rows");
        }

        if (destinationLength != matrix.Cols)
        {
            throw new ArgumentException($"destination holds {destinationLength} elements, a row has {matrix.Cols}", destinationName);
        }
    }
}
