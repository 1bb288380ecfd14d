using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;

namespace MoeTune.Reference.Formats;

/// <summary>
/// NVFP4 quantisation (DESIGN.md "Number formats"): E2M1 elements, one E4M3 scale per 16 consecutive elements
/// along K, one FP32 global scale per matrix; x ≈ e2m1 × e4m3(block) × global.
/// </summary>
public static class Nvfp4
{
    /// <summary>Elements per block scale.</summary>
    public const int BlockSize = 16;

    /// <summary>E4M3's largest value times E2M1's: a block at the tensor's amax gets block scale 448.</summary>
    private const float ScaleRange = E4M3.MaxValue * E2M1.MaxValue;

    /// <summary>
    /// Quantises a row-major [rows, cols] matrix, in float32 arithmetic evaluated left to right:
    /// <c>G = 2688 / amax</c> (amax over the whole matrix); per block <c>s = e4m3(G · amax_block / 6)</c>;
    /// <c>q = e2m1(x · G / decode(s))</c>; stored global scale <c>1 / G</c>. Layout as ModelOpt stores it: data
    /// [rows, cols/2] with the even element in the low nibble, scales [rows, cols/16] row-major.
    /// An all-zero matrix gets global scale 1, zero scales and zero codes. A block whose scale is zero (all zero,
    /// or so small against the tensor's amax that G·amax_block/6 rounds to zero in E4M3) gets zero codes, since
    /// x/0 would saturate every element to ±6. Non-finite values, or a non-zero amax so small that G overflows,
    /// are an <see cref="ArgumentException"/>.
    /// </summary>
    public static QuantizedMatrix Quantize(ReadOnlySpan<float> values, int rows, int cols)
    {
        var absMax = QuantizationInput.CheckedAbsMax(values, rows, cols, WeightFormat.Nvfp4);
        var data = new byte[values.Length / 2];
        var scales = new byte[values.Length / BlockSize];
        if (absMax == 0f)
        {
            return new QuantizedMatrix(WeightFormat.Nvfp4, rows, cols, data, scales, 1f);
        }

        var g = ScaleRange / absMax;
        QuantizationInput.RequireUsableScale(g, absMax, WeightFormat.Nvfp4, nameof(values));

        // K is a multiple of 16, so blocks never straddle rows: block b of the flat array is scale b of [rows, cols/16].
        for (var b = 0; b < scales.Length; b++)
        {
            var block = values.Slice(b * BlockSize, BlockSize);
            var blockMax = Fp4Blocks.AbsMax(block);
            var scaleCode = E4M3.Encode(g * blockMax / E2M1.MaxValue);
            scales[b] = scaleCode;
            var scale = E4M3.Decode(scaleCode);
            if (scale == 0f)
            {
                continue;
            }

            Fp4Blocks.Encode(block, g, scale, data.AsSpan(b * (BlockSize / 2), BlockSize / 2));
        }

        return new QuantizedMatrix(WeightFormat.Nvfp4, rows, cols, data, scales, 1f / g);
    }
}
