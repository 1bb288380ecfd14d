using System.Numerics;

namespace MoeTune.Reference.Formats;

/// <summary>
/// bfloat16: the upper 16 bits of an IEEE binary32. Conversions from float and double round to nearest, ties to
/// even, once (no double rounding); values beyond the largest bf16 become infinity, as RNE dictates. NaN stays NaN
/// with its sign kept and the quiet bit set (so a NaN whose payload sits only in the low 16 bits cannot turn into
/// infinity).
/// </summary>
public static class Bf16
{
    private const uint QuietBit = 0x0040;

    /// <summary>The bf16 nearest to <paramref name="value"/> (ties to even).</summary>
    public static ushort FromFloat(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | QuietBit);
        }

        // Adding 0x7FFF plus the lowest kept bit rounds the discarded half to nearest, ties to even; a carry out of
        // the mantissa correctly bumps the exponent (up to infinity).
        bits += 0x7FFFu + ((bits >> 16) & 1u);
        return (ushort)(bits >> 16);
    }

    /// <summary>The exact float value of a bf16.</summary>
    public static float ToFloat(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>
    /// The bf16 nearest to <paramref name="value"/> (ties to even), rounded once from the double: going through
    /// float first would round twice and could break a tie the wrong way.
    /// </summary>
    public static ushort FromDouble(double value)
    {
        if (double.IsNaN(value))
        {
            return FromFloat((float)value);
        }

        var sign = double.IsNegative(value) ? (ushort)0x8000 : (ushort)0;
        var magnitude = Math.Abs(value);
        double rounded;
        if (magnitude < SmallestNormal)
        {
            // bf16's subnormals (and float's, at bf16 precision) form a fixed grid of 2^-133.
            rounded = Math.Round(magnitude * SubnormalGridInverse, MidpointRounding.ToEven) * SubnormalGrid;
        }
        else if (double.IsInfinity(magnitude))
        {
            rounded = magnitude;
        }
        else
        {
            // Keep 7 of the double's 52 mantissa bits: round the 45 discarded bits to nearest, ties to even.
            const int Dropped = 52 - 7;
            const long Half = (1L << (Dropped - 1)) - 1;
            var bits = BitConverter.DoubleToInt64Bits(magnitude);
            bits += Half + ((bits >> Dropped) & 1L);
            bits &= ~((1L << Dropped) - 1);
            rounded = BitConverter.Int64BitsToDouble(bits);
        }

        // `rounded` lies on the bf16 grid, so the float conversion is exact (or overflows to infinity, as RNE must).
        return (ushort)(sign | (BitConverter.SingleToUInt32Bits((float)rounded) >> 16));
    }

    /// <summary>Converts floats to bf16 (round to nearest even), vectorised.</summary>
    public static void FromFloat(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        RequireSameLength(source.Length, destination.Length, nameof(destination));
        var i = 0;
        if (Vector.IsHardwareAccelerated && source.Length >= 2 * Vector<uint>.Count)
        {
            var lanes = Vector<uint>.Count;
            var sourceBits = System.Runtime.InteropServices.MemoryMarshal.Cast<float, uint>(source);
            var one = Vector<uint>.One;
            var half = new Vector<uint>(0x7FFFu);
            var quiet = new Vector<uint>(QuietBit << 16);
            for (; i <= source.Length - (2 * lanes); i += 2 * lanes)
            {
                var low = Round(new Vector<uint>(sourceBits[i..]));
                var high = Round(new Vector<uint>(sourceBits[(i + lanes)..]));
                Vector.Narrow(low, high).CopyTo(destination[i..]);
            }

            Vector<uint> Round(Vector<uint> bits)
            {
                var isNaN = ~Vector.Equals(Vector.AsVectorSingle(bits), Vector.AsVectorSingle(bits));
                var rounded = bits + half + (Vector.ShiftRightLogical(bits, 16) & one);
                var nan = bits | quiet;
                return Vector.ShiftRightLogical(Vector.ConditionalSelect(Vector.AsVectorUInt32(isNaN), nan, rounded), 16);
            }
        }

        for (; i < source.Length; i++)
        {
            destination[i] = FromFloat(source[i]);
        }
    }

    /// <summary>Converts bf16 to floats (exact), vectorised.</summary>
    public static void ToFloat(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        RequireSameLength(source.Length, destination.Length, nameof(destination));
        var i = 0;
        if (Vector.IsHardwareAccelerated && source.Length >= Vector<ushort>.Count)
        {
            var lanes = Vector<ushort>.Count;
            var destinationBits = System.Runtime.InteropServices.MemoryMarshal.Cast<float, uint>(destination);
            for (; i <= source.Length - lanes; i += lanes)
            {
                Vector.Widen(new Vector<ushort>(source[i..]), out var low, out var high);
                Vector.ShiftLeft(low, 16).CopyTo(destinationBits[i..]);
                Vector.ShiftLeft(high, 16).CopyTo(destinationBits[(i + Vector<uint>.Count)..]);
            }
        }

        for (; i < source.Length; i++)
        {
            destination[i] = ToFloat(source[i]);
        }
    }

    /// <summary>Converts bf16 to doubles (exact).</summary>
    public static void ToDouble(ReadOnlySpan<ushort> source, Span<double> destination)
    {
        RequireSameLength(source.Length, destination.Length, nameof(destination));
        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = ToFloat(source[i]);
        }
    }

    private static readonly double SmallestNormal = Math.ScaleB(1.0, -126);
    private static readonly double SubnormalGrid = Math.ScaleB(1.0, -133);
    private static readonly double SubnormalGridInverse = Math.ScaleB(1.0, 133);

    private static void RequireSameLength(int source, int destination, string name)
    {
        if (source != destination)
        {
            throw new ArgumentException($"destination holds {destination} elements, source {source}", name);
        }
    }
}
