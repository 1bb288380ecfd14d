using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;

namespace MoeTune.Reference.Formats;

/// <summary>
/// MXFP4 quantisation (OCP Microscaling Formats v1.0): E2M1 elements, one E8M0 power-of-two scale per 32
/// consecutive elements along K, no global scale; x = e2m1 × 2^(e−127).
/// </summary>
public static class Mxfp4
{
    /// <summary>Elements per block scale.</summary>
    public const int BlockSize = 32;

    /// <summary>The exponent of E2M1's largest power of two (4 = 2^2): OCP's emax_elem.</summary>
    private const int ElementMaxExponent = 2;

    /// <summary>
    /// Quantises a row-major [rows, cols] matrix with OCP MX v1.0's rule: per block, shared exponent
    /// <c>e = floor(log2(amax_block)) − 2</c>, clamped to E8M0's range [−127, 127]; <c>q = e2m1(x / 2^e)</c>
    /// (the division by a power of two is exact). The rule maps amax_block into [4, 8), so a block's largest elements
    /// may clamp to ±6 (a known property of the OCP rule, kept because checkpoints were quantised with it). An
    /// all-zero block has log2 = −∞, which clamps to exponent −127 (byte 0), with zero codes. Layout: data
    /// [rows, cols/2] with the even element in the low nibble, scales [rows, cols/32] row-major. Non-finite values are
    /// an <see cref="ArgumentException"/>.
    /// </summary>
    public static QuantizedMatrix Quantize(ReadOnlySpan<float> values, int rows, int cols)
    {
        QuantizationInput.CheckedAbsMax(values, rows, cols, WeightFormat.Mxfp4);
        var data = new byte[values.Length / 2];
        var scales = new byte[values.Length / BlockSize];
        for (var b = 0; b < scales.Length; b++)
        {
            var block = values.Slice(b * BlockSize, BlockSize);
            var blockMax = Fp4Blocks.AbsMax(block);
            var exponent = blockMax == 0f
                ? E8M0.MinExponent
                : Math.Clamp(MathF.ILogB(blockMax) - ElementMaxExponent, E8M0.MinExponent, E8M0.MaxExponent);
            scales[b] = E8M0.EncodeExponent(exponent);

            // 2^−e is an exact float for every e in [−127, 127], so x · 2^−e rounds once, as x / 2^e would.
            Fp4Blocks.Encode(block, MathF.ScaleB(1f, -exponent), 1f, data.AsSpan(b * (BlockSize / 2), BlockSize / 2));
        }

        return new QuantizedMatrix(WeightFormat.Mxfp4, rows, cols, data, scales, 1f);
    }
}
