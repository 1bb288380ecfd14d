using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MoeTune.Reference.Formats;

/// <summary>
/// Vectorised encoding and decoding of block-scaled E2M1 rows (NVFP4, MXFP4): two codes per byte, the even element
/// in the low nibble, one scale per block of consecutive elements along K.
/// </summary>
internal static class Fp4Blocks
{
    private static readonly Vector256<float> Midpoint0 = Vector256.Create(E2M1.Midpoints[0]);
    private static readonly Vector256<float> Midpoint1 = Vector256.Create(E2M1.Midpoints[1]);
    private static readonly Vector256<float> Midpoint2 = Vector256.Create(E2M1.Midpoints[2]);
    private static readonly Vector256<float> Midpoint3 = Vector256.Create(E2M1.Midpoints[3]);
    private static readonly Vector256<float> Midpoint4 = Vector256.Create(E2M1.Midpoints[4]);
    private static readonly Vector256<float> Midpoint5 = Vector256.Create(E2M1.Midpoints[5]);
    private static readonly Vector256<float> Midpoint6 = Vector256.Create(E2M1.Midpoints[6]);

    private static readonly Vector256<float> Magnitudes = Vector256.Create(0f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 6f);

    // Element j of a little-endian 32-bit word of packed bytes sits at bit 4j (the even element in the low nibble).
    private static readonly Vector256<uint> NibbleShifts = Vector256.Create(0u, 4, 8, 12, 16, 20, 24, 28);

    /// <summary>
    /// Writes code × block scale for every element of a row, in float or double; exact in either, since an E2M1
    /// value has two significant bits and every E4M3 or E8M0 scale at most four. Uses AVX2 where the CPU has it (the
    /// reference layer decodes every active expert's weights on every call) and <see cref="DecodeRowPortable"/> elsewhere;
    /// both give identical results.
    /// </summary>
    public static void DecodeRow<T>(ReadOnlySpan<byte> packed, ReadOnlySpan<float> blockScales, int blockSize, Span<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Avx2.IsSupported && (typeof(T) == typeof(float) || typeof(T) == typeof(double)) && blockSize % Vector256<float>.Count == 0)
        {
            DecodeRowAvx2(packed, blockScales, blockSize, destination);
        }
        else
        {
            DecodeRowPortable(packed, blockScales, blockSize, destination);
        }
    }

    /// <summary>The portable decoder: a table gives each byte's two values, then each block is scaled.</summary>
    internal static void DecodeRowPortable<T>(ReadOnlySpan<byte> packed, ReadOnlySpan<float> blockScales, int blockSize, Span<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // One table load and one store per byte writes both of its elements.
        var pairs = MemoryMarshal.Cast<T, CodePair<T>>(destination);
        var table = CodePair<T>.Table;
        for (var j = 0; j < packed.Length; j++)
        {
            pairs[j] = table[packed[j]];
        }

        var lanes = Vector<T>.Count;
        for (var b = 0; b < blockScales.Length; b++)
        {
            var block = destination.Slice(b * blockSize, blockSize);
            var scale = T.CreateTruncating(blockScales[b]);
            if (blockSize % lanes == 0)
            {
                var scales = new Vector<T>(scale);
                foreach (ref var v in MemoryMarshal.Cast<T, Vector<T>>(block))
                {
                    v *= scales;
                }
            }
            else
            {
                foreach (ref var v in block)
                {
                    v *= scale;
                }
            }
        }
    }

    /// <summary>
    /// Eight elements per step: the four bytes' nibbles are shifted into lanes, their magnitudes looked up with a
    /// lane permute, their signs moved to bit 31, and the block scale applied (exactly) in float before widening.
    /// </summary>
    private static void DecodeRowAvx2<T>(ReadOnlySpan<byte> packed, ReadOnlySpan<float> blockScales, int blockSize, Span<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var words = MemoryMarshal.Cast<byte, uint>(packed);
        var wordsPerBlock = blockSize / 8;
        var seven = Vector256.Create(7u);
        var eight = Vector256.Create(8u);
        for (var b = 0; b < blockScales.Length; b++)
        {
            var scale = Vector256.Create(blockScales[b]);
            for (var w = b * wordsPerBlock; w < (b + 1) * wordsPerBlock; w++)
            {
                var codes = Avx2.ShiftRightLogicalVariable(Vector256.Create(words[w]), NibbleShifts);
                var magnitudes = Avx2.PermuteVar8x32(Magnitudes, (codes & seven).AsInt32());
                var values = (magnitudes.AsUInt32() | Vector256.ShiftLeft(codes & eight, 28)).AsSingle() * scale;
                if (typeof(T) == typeof(float))
                {
                    values.CopyTo(MemoryMarshal.Cast<T, float>(destination.Slice(w * 8, 8)));
                }
                else
                {
                    var target = MemoryMarshal.Cast<T, double>(destination.Slice(w * 8, 8));
                    Vector256.WidenLower(values).CopyTo(target);
                    Vector256.WidenUpper(values).CopyTo(target[4..]);
                }
            }
        }
    }

    /// <summary>
    /// Packs <c>e2m1((x · multiplier) / divisor)</c> for every x of <paramref name="block"/> (a multiple of 16 long),
    /// evaluated in float exactly as written, with <see cref="E2M1.Encode"/>'s rounding: ties to even, magnitudes
    /// clamped to 6, signs kept. The values must be finite and the divisor non-zero. Vectorised, because synthetic
    /// weights for a large preset quantise hundreds of millions of elements.
    /// </summary>
    public static void Encode(ReadOnlySpan<float> block, float multiplier, float divisor, Span<byte> packed)
    {
        var mul = Vector256.Create(multiplier);
        var div = Vector256.Create(divisor);
        for (var i = 0; i < block.Length; i += 16)
        {
            var low = Codes(Vector256.Create(block.Slice(i, 8)) * mul / div);
            var high = Codes(Vector256.Create(block.Slice(i + 8, 8)) * mul / div);

            // 16 codes as bytes c0..c15; fold each odd code into the high nibble of the even byte before it
            // (b | b >> 4), then keep the even bytes.
            var bytes = Vector256.Narrow(Vector256.Narrow(low, high), Vector256<short>.Zero).AsUInt64();
            BinaryPrimitives.WriteUInt32LittleEndian(packed.Slice(i / 2, 4), EvenBytes(bytes.GetElement(0)));
            BinaryPrimitives.WriteUInt32LittleEndian(packed.Slice((i / 2) + 4, 4), EvenBytes(bytes.GetElement(1)));
        }
    }

    /// <summary>The largest magnitude in a block whose length is a multiple of 8.</summary>
    public static float AbsMax(ReadOnlySpan<float> block)
    {
        var max = Vector256<float>.Zero;
        for (var i = 0; i < block.Length; i += 8)
        {
            max = Vector256.Max(max, Vector256.Abs(Vector256.Create(block.Slice(i, 8))));
        }

        var half = Vector128.Max(max.GetLower(), max.GetUpper());
        return MathF.Max(MathF.Max(half[0], half[1]), MathF.Max(half[2], half[3]));
    }

    /// <summary>E2M1 codes of eight finite values: the count of midpoints below each magnitude, plus the sign bit.</summary>
    private static Vector256<int> Codes(Vector256<float> y)
    {
        var magnitude = Vector256.Abs(y);
        var code = Vector256<int>.Zero;

        // A true compare is −1, so subtracting it counts.
        code -= Vector256.GreaterThan(magnitude, Midpoint0).AsInt32();
        code -= Vector256.GreaterThan(magnitude, Midpoint1).AsInt32();
        code -= Vector256.GreaterThan(magnitude, Midpoint2).AsInt32();
        code -= Vector256.GreaterThan(magnitude, Midpoint3).AsInt32();
        code -= Vector256.GreaterThan(magnitude, Midpoint4).AsInt32();
        code -= Vector256.GreaterThan(magnitude, Midpoint5).AsInt32();
        code -= Vector256.GreaterThan(magnitude, Midpoint6).AsInt32();
        return code | (Vector256.ShiftRightLogical(y.AsInt32(), 28) & Vector256.Create(8));
    }

    private static uint EvenBytes(ulong bytes)
    {
        var folded = bytes | (bytes >> 4);
        return (uint)((folded & 0xFF) | ((folded >> 8) & 0xFF00) | ((folded >> 16) & 0xFF0000) | ((folded >> 24) & 0xFF000000));
    }

    /// <summary>The two values of one packed byte, laid out as two adjacent elements (the even one first).</summary>
    private readonly struct CodePair<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public static readonly CodePair<T>[] Table = Enumerable.Range(0, 256)
            .Select(b => new CodePair<T>(T.CreateTruncating(E2M1.CodeValues[b & 0x0F]), T.CreateTruncating(E2M1.CodeValues[b >> 4])))
            .ToArray();

        private readonly T _even;
        private readonly T _odd;

        private CodePair(T even, T odd)
        {
            _even = even;
            _odd = odd;
        }
    }
}
