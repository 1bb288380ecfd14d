using System.Globalization;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;

namespace MoeTune.Plugins.Marlin.Layout;

/// <summary>What the reshuffle does to a block's codes so that its transcoded scale represents the block exactly.</summary>
public enum BlockCodes
{
    /// <summary>Codes unchanged.</summary>
    Keep,

    /// <summary>Every code's sign flipped: the block's E4M3 scale was negative and is stored as its magnitude.</summary>
    Negate,

    /// <summary>Codes set to +0: the block's value is zero (a zero scale), or too small to show (see <see cref="ScaleTranscoder"/>).</summary>
    Zero,
}

/// <summary>One block's scale byte as the kernel decodes it, and what to do with its codes.</summary>
public readonly record struct TranscodedBlock(byte Scale, BlockCodes Codes);

/// <summary>
/// Turns a matrix's block scales into the bytes the kernel expands to bf16 with two bit operations, and finds the FP32
/// factor the epilogue multiplies by. The kernel decodes an E2M1 code to <c>code · 2^-126</c> (bits placed in bf16's
/// low exponent bits) and multiplies it by the decoded scale in bf16; the product must be exact and a normal bf16.
/// <list type="bullet">
/// <item>NVFP4: an E4M3 scale 2^E·(1 + m/8), E in [−9, 8] once subnormals are normalised, becomes the byte
/// <c>(E + 9)·8 + m</c>, decoded as <c>(byte &lt;&lt; 4) | 0x7000</c> = scale · 2^106. The product is
/// e2m1 · e4m3 · 2^-20 (at least 2^-30 in magnitude), and the epilogue factor is the global scale · 2^20. A negative
/// scale flips its block's code signs; a zero scale zeroes its codes; a NaN scale is an error.</item>
/// <item>MXFP4: an E8M0 scale 2^(e−127) becomes <c>e + offset</c> with offset = 254 − e_max over the matrix's
/// non-zero blocks, decoded as <c>byte &lt;&lt; 7</c>; the epilogue factor is 2^(e_max − 128). A block whose byte
/// would fall below 128 lies more than 2^126 below the matrix's largest block, under bf16's resolution of any sum it
/// joins, and is zeroed (its product would not be a normal bf16). A NaN scale (0xFF) is an error.</item>
/// </list>
/// </summary>
public sealed class ScaleTranscoder
{
    /// <summary>Where the kernel's FP4 decode puts a code: 2^-126 times its value.</summary>
    private const int Fp4DecodeExponent = -126;

    /// <summary>The NVFP4 scale byte's decode: the E4M3 value times 2^106.</summary>
    private const int Nvfp4ScaleExponent = 106;

    /// <summary>E4M3's smallest exponent once its subnormals are normalised (2^-9).</summary>
    private const int E4M3MinExponent = -9;

    private const byte E8M0NaN = 0xFF;
    private const int Mxfp4MaxByte = 254;
    private const int Mxfp4MinByte = 128;

    private readonly QuantizedMatrix matrix;
    private readonly string location;
    private readonly int blocksPerRow;
    private readonly int mxfp4Offset;

    private ScaleTranscoder(QuantizedMatrix matrix, string location, float epilogueFactor, int mxfp4Offset)
    {
        this.matrix = matrix;
        this.location = location;
        blocksPerRow = matrix.Cols / FragmentLayout.BlockSize(matrix.Format);
        EpilogueFactor = epilogueFactor;
        this.mxfp4Offset = mxfp4Offset;
    }

    /// <summary>What the epilogue multiplies the fp32 accumulator by to get <c>W · x</c> in the format's own units.</summary>
    public float EpilogueFactor { get; }

    /// <summary>
    /// Plans the transcoding of <paramref name="matrix"/>; <paramref name="location"/> (for example "expert 3 W13")
    /// names it in errors.
    /// </summary>
    public static ScaleTranscoder For(QuantizedMatrix matrix, string location)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(location);
        return matrix.Format switch
        {
            WeightFormat.Nvfp4 => new ScaleTranscoder(matrix, location, Nvfp4Factor(matrix.GlobalScale, location), 0),
            WeightFormat.Mxfp4 => ForMxfp4(matrix, location),
            _ => throw new ArgumentException($"{location}: Marlin transcodes NVFP4 or MXFP4 scales, not {matrix.Format.ToName()}", nameof(matrix)),
        };
    }

    /// <summary>The scale byte of (row, block) and what becomes of the block's codes.</summary>
    public TranscodedBlock Transcode(int row, int block)
    {
        var code = matrix.Scales[((long)row * blocksPerRow) + block];
        return matrix.Format == WeightFormat.Nvfp4 ? TranscodeE4M3(code, row, block) : TranscodeE8M0(code, row, block);
    }

    private TranscodedBlock TranscodeE4M3(byte code, int row, int block)
    {
        if ((code & 0x7F) == 0x7F)
        {
            throw new ArgumentException($"{location}: the block scale of row {row}, block {block} is NaN (E4M3 0x{code:X2}); the checkpoint is corrupt");
        }

        var magnitude = code & 0x7F;
        if (magnitude == 0)
        {
            return new TranscodedBlock(0, BlockCodes.Zero);
        }

        var (exponentField, mantissa) = (magnitude >> 3, magnitude & 7);
        int exponent;
        if (exponentField == 0)
        {
            // Subnormal m·2^-9: normalise so that the leading one is implicit.
            var lead = 31 - int.LeadingZeroCount(mantissa);
            exponent = E4M3MinExponent + lead;
            mantissa = (mantissa << (3 - lead)) & 7;
        }
        else
        {
            exponent = exponentField - 7;
        }

        var scale = (byte)(((exponent - E4M3MinExponent) << 3) | mantissa);
        return new TranscodedBlock(scale, (code & 0x80) != 0 ? BlockCodes.Negate : BlockCodes.Keep);
    }

    private TranscodedBlock TranscodeE8M0(byte code, int row, int block)
    {
        var shifted = code + mxfp4Offset;
        return shifted < Mxfp4MinByte || !HasNonZeroCode(matrix, row, block)
            ? new TranscodedBlock(Mxfp4MinByte, BlockCodes.Zero)
            : new TranscodedBlock((byte)shifted, BlockCodes.Keep);
    }

    private static ScaleTranscoder ForMxfp4(QuantizedMatrix matrix, string location)
    {
        var blocks = matrix.Cols / FragmentLayout.BlockSize(WeightFormat.Mxfp4);
        var largest = -1;
        for (var row = 0; row < matrix.Rows; row++)
        {
            for (var block = 0; block < blocks; block++)
            {
                var code = matrix.Scales[((long)row * blocks) + block];
                if (code == E8M0NaN)
                {
                    throw new ArgumentException($"{location}: the block scale of row {row}, block {block} is NaN (E8M0 0xFF); the checkpoint is corrupt");
                }

                if (code > largest && HasNonZeroCode(matrix, row, block))
                {
                    largest = code;
                }
            }
        }

        // An all-zero matrix: any offset serves, every block is zeroed.
        largest = Math.Max(largest, 0);
        var offset = Mxfp4MaxByte - largest;
        return new ScaleTranscoder(matrix, location, (float)Math.ScaleB(1.0, largest - 128), offset);
    }

    private static float Nvfp4Factor(float globalScale, string location)
    {
        var factor = (double)globalScale * Math.ScaleB(1.0, -(Fp4DecodeExponent + Nvfp4ScaleExponent));
        var single = (float)factor;
        if (!float.IsFinite(single) || (single == 0f && globalScale != 0f))
        {
            throw new ArgumentException(string.Create(
                CultureInfo.InvariantCulture,
                $"{location}: the global scale {globalScale} times 2^20 leaves float's range; Marlin cannot apply it exactly"));
        }

        return single;
    }

    /// <summary>True when some code of the block has a non-zero magnitude (±0 codes carry no value).</summary>
    private static bool HasNonZeroCode(QuantizedMatrix matrix, int row, int block)
    {
        var bytesPerBlock = FragmentLayout.BlockSize(matrix.Format) / 2;
        var start = ((long)row * (matrix.Cols / 2)) + ((long)block * bytesPerBlock);
        foreach (var b in matrix.Data.AsSpan((int)start, bytesPerBlock))
        {
            if ((b & 0x77) != 0)
            {
                return true;
            }
        }

        return false;
    }
}
