using MoeTune.Reference.Formats;

namespace MoeTune.Models.Numerics;

/// <summary>Re-expressing E4M3 numbers under another FP32 scale without any rounding, or learning that it is impossible.</summary>
internal static class E4M3Rescaling
{
    /// <summary>
    /// Finds codes <c>c'</c> with <c>e4m3(c') · <paramref name="newScale"/> = e4m3(c) · <paramref name="oldScale"/></c>
    /// exactly for every code of <paramref name="codes"/>. Returns -1 on success, otherwise the index of the first code
    /// that has no exact counterpart (the product leaves E4M3's range or needs more mantissa bits, or the code is NaN).
    /// </summary>
    public static int TryRescale(ReadOnlySpan<byte> codes, float oldScale, float newScale, Span<byte> rescaled)
    {
        for (var i = 0; i < codes.Length; i++)
        {
            var value = E4M3.Decode(codes[i]);
            if (float.IsNaN(value)) return i;

            // E4M3 values have 4 significant bits and FP32 scales 24, so these products are exact in double; where an
            // exact counterpart exists the quotient is exactly that E4M3 value, which Encode returns unchanged.
            var target = (double)value * oldScale;
            var code = E4M3.Encode((float)(target / newScale));
            if ((double)E4M3.Decode(code) * newScale != target) return i;
            rescaled[i] = code;
        }

        return -1;
    }
}
