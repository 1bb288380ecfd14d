using MoeTune.Abstractions.Problems;

namespace MoeTune.Abstractions.Weights;

/// <summary>
/// One [N, K] weight matrix on the host in one of MoeTune's weight formats, in the checkpoint (ModelOpt)
/// layout, row-major with K the reduction dimension:
/// <list type="bullet">
/// <item>BF16: <see cref="Data"/> holds N·K little-endian bf16 values; no scales; <see cref="GlobalScale"/> is 1.</item>
/// <item>FP8: N·K E4M3 bytes; x = e4m3 · <see cref="GlobalScale"/>.</item>
/// <item>NVFP4: N·K/2 bytes, two E2M1 codes each, the even element in the low nibble; <see cref="Scales"/> holds
/// N·K/16 E4M3 block scales ([N, K/16]); x = e2m1 · e4m3(block) · <see cref="GlobalScale"/> (the stored 1/G).</item>
/// <item>MXFP4: as NVFP4 with 32-element blocks and E8M0 scales (2^(e−127)); <see cref="GlobalScale"/> is 1.</item>
/// </list>
/// The number math lives in MoeTune.Reference; this type is the data that crosses the plugin boundary.
/// </summary>
public sealed class QuantizedMatrix
{
    public QuantizedMatrix(WeightFormat format, int rows, int cols, byte[] data, byte[] scales, float globalScale)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(scales);
        if (rows <= 0 || cols <= 0) throw new ArgumentException($"matrix shape must be positive, got [{rows}, {cols}]");
        var block = format.BlockSize();
        if (cols % block != 0) throw new ArgumentException($"{format.ToName()} needs K ({cols}) divisible by {block}");
        if (format.ElementBits() == 4 && cols % 2 != 0) throw new ArgumentException($"{format.ToName()} needs an even K, got {cols}");
        var expectedData = DataBytes(format, rows, cols);
        if (data.LongLength != expectedData)
        {
            throw new ArgumentException($"{format.ToName()} [{rows}, {cols}] needs {expectedData} data bytes, got {data.LongLength}");
        }

        var expectedScales = ScaleBytes(format, rows, cols);
        if (scales.LongLength != expectedScales)
        {
            throw new ArgumentException($"{format.ToName()} [{rows}, {cols}] needs {expectedScales} scale bytes, got {scales.LongLength}");
        }

        if (!float.IsFinite(globalScale)) throw new ArgumentException($"global scale must be finite, got {globalScale}");
        Format = format;
        Rows = rows;
        Cols = cols;
        Data = data;
        Scales = scales;
        GlobalScale = globalScale;
    }

    public WeightFormat Format { get; }

    /// <summary>N: output features.</summary>
    public int Rows { get; }

    /// <summary>K: input features (the reduction dimension).</summary>
    public int Cols { get; }

    public byte[] Data { get; }

    public byte[] Scales { get; }

    public float GlobalScale { get; }

    /// <summary>Bytes a kernel must read to use this matrix once: elements plus scales.</summary>
    public long StoredBytes => Data.LongLength + Scales.LongLength + (Format is WeightFormat.Nvfp4 or WeightFormat.Fp8 ? sizeof(float) : 0);

    public static long DataBytes(WeightFormat format, int rows, int cols) => (long)rows * cols * format.ElementBits() / 8;

    public static long ScaleBytes(WeightFormat format, int rows, int cols) =>
        format.BlockSize() == 1 ? 0 : (long)rows * (cols / format.BlockSize());
}
