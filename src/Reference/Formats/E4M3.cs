namespace MoeTune.Reference.Formats;

/// <summary>
/// FP8 E4M3 in OCP's "fn" variant: sign, 4 exponent bits (bias 7), 3 mantissa bits; no infinities; 0x7F and 0xFF
/// are NaN; exponent field 0 holds subnormals m·2^-9. The largest finite magnitude is 448 (0x7E).
/// </summary>
public static class E4M3
{
    /// <summary>The largest finite magnitude.</summary>
    public const float MaxValue = 448f;

    /// <summary>The code of +448.</summary>
    public const byte MaxCode = 0x7E;

    /// <summary>The positive NaN code; 0xFF is the negative one.</summary>
    public const byte NaNCode = 0x7F;

    private static readonly float[] Table = BuildTable();

    /// <summary>The value of an E4M3 byte (exact as a float). 0x7F and 0xFF are NaN, with their sign bit.</summary>
    public static float Decode(byte code) => Table[code];

    /// <summary>
    /// The nearest E4M3 byte, ties to even, saturating: magnitudes above 448 (infinities included) become ±448.
    /// The sign is kept for every input (so −0 and tiny negatives give 0x80, and a NaN with its sign bit set gives
    /// 0xFF); with that rule every one of the 256 bytes survives <c>Encode(Decode(b))</c> unchanged.
    /// </summary>
    public static byte Encode(float value)
    {
        var sign = float.IsNegative(value) ? (byte)0x80 : (byte)0;
        if (float.IsNaN(value))
        {
            return (byte)(sign | NaNCode);
        }

        var magnitude = Math.Abs(value);
        if (magnitude >= MaxValue)
        {
            return (byte)(sign | MaxCode);
        }

        byte code;
        if (magnitude < SmallestNormal)
        {
            // Subnormals are integers m on a 2^-9 grid; rounding up to m = 8 lands exactly on code 8, the smallest
            // normal, so no special case is needed.
            code = (byte)MathF.Round(magnitude * 512f, MidpointRounding.ToEven);
        }
        else
        {
            // Rebias the float's exponent to E4M3's and round the 23-bit mantissa to 3 bits (RNE); a carry out of
            // the mantissa bumps the exponent, which is what rounding up across a power of two means.
            var bits = BitConverter.SingleToUInt32Bits(magnitude);
            var exponent = (bits >> 23) - 127 + 7;
            var combined = (exponent << 23) | (bits & 0x7FFFFFu);
            combined += 0x7FFFFu + ((combined >> 20) & 1u);
            code = (byte)Math.Min(combined >> 20, MaxCode);
        }

        return (byte)(sign | code);
    }

    private const float SmallestNormal = 0.015625f; // 2^-6

    private static float[] BuildTable()
    {
        var table = new float[256];
        for (var code = 0; code < 256; code++)
        {
            var negative = (code & 0x80) != 0;
            var exponent = (code >> 3) & 0xF;
            var mantissa = code & 0x7;
            float magnitude = (exponent, mantissa) switch
            {
                (15, 7) => float.NaN,
                (0, _) => MathF.ScaleB(mantissa, -9),
                _ => MathF.ScaleB(8 + mantissa, exponent - 7 - 3),
            };
            table[code] = float.IsNaN(magnitude)
                ? BitConverter.UInt32BitsToSingle(negative ? 0xFFC00000u : 0x7FC00000u)
                : negative ? -magnitude : magnitude;
        }

        return table;
    }
}
