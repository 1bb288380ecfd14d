namespace MoeTune.Models.Numerics;

/// <summary>
/// FP8 E4M3 ("fn": bias 7, no infinities, S.1111.111 is NaN, max 448) values, and the one operation checkpoint reading
/// needs: re-expressing E4M3 numbers under another FP32 scale without any rounding, or reporting that it is impossible.
/// </summary>
internal static class E4M3
{
    private static readonly double[] Magnitudes = BuildMagnitudes();
    private static readonly Dictionary<double, byte> CodeOfMagnitude = BuildCodes();

    /// <summary>The value of <paramref name="code"/>; NaN for the two NaN codes.</summary>
    public static double Decode(byte code)
    {
        var magnitude = Magnitudes[code & 0x7F];
        return (code & 0x80) != 0 ? -magnitude : magnitude;
    }

    /// <summary>
    /// Finds codes <c>c'</c> with <c>e4m3(c') · <paramref name="newScale"/> = e4m3(c) · <paramref name="oldScale"/></c>
    /// exactly for every code of <paramref name="codes"/>. Returns -1 on success, otherwise the index of the first code
    /// that has no exact counterpart (the product leaves E4M3's range or needs more mantissa bits, or the code is NaN).
    /// </summary>
    public static int TryRescale(ReadOnlySpan<byte> codes, float oldScale, float newScale, Span<byte> rescaled)
    {
        for (var i = 0; i < codes.Length; i++)
        {
            var magnitude = Magnitudes[codes[i] & 0x7F];
            if (double.IsNaN(magnitude)) return i;

            // An E4M3 value has 4 significant bits and an FP32 scale 24, so these products are exact in double.
            var target = magnitude * oldScale;
            var candidate = target / newScale;
            if (!CodeOfMagnitude.TryGetValue(candidate, out var code) || Magnitudes[code] * newScale != target) return i;
            rescaled[i] = (byte)(code | (codes[i] & 0x80));
        }

        return -1;
    }

    private static double[] BuildMagnitudes()
    {
        var values = new double[128];
        for (var code = 0; code < 128; code++)
        {
            var exponent = code >> 3;
            var mantissa = code & 7;
            values[code] = code == 0x7F
                ? double.NaN
                : exponent == 0
                    ? mantissa * Math.Pow(2, -9)
                    : (1 + (mantissa / 8.0)) * Math.Pow(2, exponent - 7);
        }

        return values;
    }

    private static Dictionary<double, byte> BuildCodes()
    {
        var codes = new Dictionary<double, byte>();
        for (var code = 0; code < 0x7F; code++) codes[Magnitudes[code]] = (byte)code;
        return codes;
    }
}
