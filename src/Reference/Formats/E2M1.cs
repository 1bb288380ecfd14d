namespace MoeTune.Reference.Formats;

/// <summary>
/// FP4 E2M1: codes 0..7 are 0, 0.5, 1, 1.5, 2, 3, 4, 6 and codes 8..15 the same values negated (bit 3 is the sign).
/// Two codes share a byte, the even element in the low nibble.
/// </summary>
public static class E2M1
{
    /// <summary>The largest magnitude, 6.</summary>
    public const float MaxValue = 6f;

    /// <summary>The code of the largest magnitude.</summary>
    public const byte MaxCode = 7;

    private static readonly float[] Values = [0f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 6f, -0f, -0.5f, -1f, -1.5f, -2f, -3f, -4f, -6f];

    /// <summary>The sixteen code values, indexed by code.</summary>
    internal static ReadOnlySpan<float> CodeValues => Values;

    /// <summary>The value of a 4-bit code (only the low nibble of <paramref name="code"/> may be set).</summary>
    public static float Decode(byte code)
    {
        if (code > 15)
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "an E2M1 code has 4 bits (0..15)");
        }

        return Values[code];
    }

    /// <summary>
    /// The nearest code after clamping to ±6, ties to even (the code whose mantissa bit is 0): 0.25→0, 0.75→1,
    /// 1.25→1, 1.75→2, 2.5→2, 3.5→4, 5→4. Infinities saturate to ±6. The sign is kept for every input, so negative
    /// values that round to zero, and −0 itself, give code 8 (−0), as the hardware conversion does; code 8 decodes
    /// to −0, which is 0 in any arithmetic. E2M1 has no NaN: a NaN input is an <see cref="ArgumentException"/>.
    /// </summary>
    public static byte Encode(float value)
    {
        if (float.IsNaN(value))
        {
            throw new ArgumentException("E2M1 has no NaN; quantise finite values only", nameof(value));
        }

        var sign = float.IsNegative(value) ? (byte)8 : (byte)0;
        var magnitude = Math.Abs(value);

        // Count the midpoints at or below the magnitude: a tie goes to the even code (mantissa bit 0), so the
        // comparison is ">" at a midpoint just above an even code and ">=" at one just above an odd code. Written
        // without branches because random data would mispredict them.
        var code = (magnitude > 0.25f ? 1 : 0)
            + (magnitude >= 0.75f ? 1 : 0)
            + (magnitude > 1.25f ? 1 : 0)
            + (magnitude >= 1.75f ? 1 : 0)
            + (magnitude > 2.5f ? 1 : 0)
            + (magnitude >= 3.5f ? 1 : 0)
            + (magnitude > 5f ? 1 : 0);
        return (byte)(sign | code);
    }

    /// <summary>The low nibble's code (the even element of a packed pair).</summary>
    public static byte LowCode(byte packed) => (byte)(packed & 0x0F);

    /// <summary>The high nibble's code (the odd element of a packed pair).</summary>
    public static byte HighCode(byte packed) => (byte)(packed >> 4);

    /// <summary>Packs two codes: <paramref name="even"/> in the low nibble, <paramref name="odd"/> in the high one.</summary>
    public static byte Pack(byte even, byte odd) => (byte)((even & 0x0F) | ((odd & 0x0F) << 4));
}
