using System.Numerics;
using System.Runtime.Intrinsics;

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

    // The midpoints between neighbouring values. A tie goes to the even code (mantissa bit 0), so a midpoint just
    // above an odd code is nudged one float down: "magnitude >= t" becomes "magnitude > t⁻", and every code is the
    // count of midpoints strictly below the magnitude.
    private static readonly float[] MidpointValues =
        [0.25f, MathF.BitDecrement(0.75f), 1.25f, MathF.BitDecrement(1.75f), 2.5f, MathF.BitDecrement(3.5f), 5f];

    private static readonly Vector128<float> LowMidpoints = Vector128.Create(MidpointValues[0], MidpointValues[1], MidpointValues[2], MidpointValues[3]);

    // The last lane is +∞, which no magnitude exceeds.
    private static readonly Vector128<float> HighMidpoints = Vector128.Create(MidpointValues[4], MidpointValues[5], MidpointValues[6], float.PositiveInfinity);

    private static readonly float[] Values = [0f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 6f, -0f, -0.5f, -1f, -1.5f, -2f, -3f, -4f, -6f];

    /// <summary>The seven rounding thresholds: a magnitude's code is the number of them it exceeds.</summary>
    internal static ReadOnlySpan<float> Midpoints => MidpointValues;

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
    /// The nearest code after clamping to ±6, ties to even (the code whose mantissa bit is 0); in values:
    /// 0.25→0, 0.75→1, 1.25→1, 1.75→2, 2.5→2, 3.5→4, 5→4. Infinities saturate to ±6. The sign is kept for every input, so negative
    /// values that round to zero, and −0 itself, give code 8 (−0), as the hardware conversion does; code 8 decodes
    /// to −0, which is 0 in any arithmetic. E2M1 has no NaN: a NaN input is an <see cref="ArgumentException"/>.
    /// </summary>
    public static byte Encode(float value)
    {
        if (float.IsNaN(value))
        {
            throw new ArgumentException("E2M1 has no NaN; quantise finite values only", nameof(value));
        }

        var sign = (int)(BitConverter.SingleToUInt32Bits(value) >> 28) & 8; // the sign bit, without a branch
        var magnitude = Math.Abs(value);

        // Counted with two vector compares rather than branches, which random data would mispredict.
        var m = Vector128.Create(magnitude);
        var code = BitOperations.PopCount(Vector128.GreaterThan(m, LowMidpoints).ExtractMostSignificantBits())
            + BitOperations.PopCount(Vector128.GreaterThan(m, HighMidpoints).ExtractMostSignificantBits());
        return (byte)(sign | code);
    }

    /// <summary>The low nibble's code (the even element of a packed pair).</summary>
    public static byte LowCode(byte packed) => (byte)(packed & 0x0F);

    /// <summary>The high nibble's code (the odd element of a packed pair).</summary>
    public static byte HighCode(byte packed) => (byte)(packed >> 4);

    /// <summary>Packs two codes: <paramref name="even"/> in the low nibble, <paramref name="odd"/> in the high one.</summary>
    public static byte Pack(byte even, byte odd) => (byte)((even & 0x0F) | ((odd & 0x0F) << 4));
}
