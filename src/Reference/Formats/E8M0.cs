namespace MoeTune.Reference.Formats;

/// <summary>
/// E8M0: an unsigned power-of-two scale 2^(e−127) for e = 0..254; 0xFF is NaN. Used by MXFP4 block scales.
/// </summary>
public static class E8M0
{
    /// <summary>The exponent encoded by byte 0.</summary>
    public const int MinExponent = -127;

    /// <summary>The exponent encoded by byte 254.</summary>
    public const int MaxExponent = 127;

    /// <summary>The NaN byte.</summary>
    public const byte NaNCode = 0xFF;

    /// <summary>2^(code−127), exact as a float (byte 0 is the subnormal 2^-127); 0xFF is NaN.</summary>
    public static float Decode(byte code) => code == NaNCode ? float.NaN : MathF.ScaleB(1f, code - 127);

    /// <summary>The byte for 2^<paramref name="exponent"/>; the exponent must lie in [−127, 127].</summary>
    public static byte EncodeExponent(int exponent)
    {
        if (exponent is < MinExponent or > MaxExponent)
        {
            throw new ArgumentOutOfRangeException(nameof(exponent), exponent, $"E8M0 encodes exponents {MinExponent}..{MaxExponent}");
        }

        return (byte)(exponent + 127);
    }
}
