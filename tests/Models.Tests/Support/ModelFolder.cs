using System.Buffers.Binary;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;
using MoeTune.Models.Checkpoints;
using MoeTune.Models.Config;
using MoeTune.Models.Safetensors;

namespace MoeTune.Models.Tests.Support;

/// <summary>
/// A small checkpoint folder built by a test: a config.json, and tensors of random content added through helpers that
/// return what they wrote, so that tests can compute the expected canonical layout themselves.
/// </summary>
internal sealed class ModelFolder : IDisposable
{
    private readonly TempFolder _folder = new();

    public ModelFolder(string configJson) => _folder.WriteText("config.json", configJson);

    public string Path => _folder.Path;

    public SafetensorsWriter Writer { get; } = new();

    public Random Random { get; } = new(20240611);

    public void Dispose() => _folder.Dispose();

    public ModelSpec Spec(WeightFormat? format = null) => HuggingFaceConfig.Load(_folder.Path, format);

    /// <summary>Writes <see cref="Writer"/> as model.safetensors and reads <paramref name="layer"/>.</summary>
    public MoeWeights Read(int layer, WeightFormat? format = null)
    {
        Writer.WriteTo(_folder.File("model.safetensors"));
        using var checkpoint = SafetensorsCheckpoint.Open(_folder.Path);
        return CheckpointLayerReader.Read(checkpoint, Spec(format), layer);
    }

    /// <summary>Writes the tensors and opens the checkpoint, for reads that are expected to fail.</summary>
    public SafetensorsCheckpoint Open()
    {
        Writer.WriteTo(_folder.File("model.safetensors"));
        return SafetensorsCheckpoint.Open(_folder.Path);
    }

    public string File(string name) => _folder.File(name);

    public void WriteText(string name, string text) => _folder.WriteText(name, text);

    /// <summary>Random bytes as a U8 tensor.</summary>
    public byte[] U8(string name, params long[] shape)
    {
        var bytes = new byte[Count(shape)];
        Random.NextBytes(bytes);
        Writer.Add(name, SafetensorsDType.U8, shape, bytes);
        return bytes;
    }

    /// <summary>Random finite E4M3 codes (never NaN) as an F8_E4M3 tensor.</summary>
    public byte[] E4M3(string name, params long[] shape) => E4M3Codes(name, () => (byte)(Random.Next(0, 0x7F) | (Random.Next(2) << 7)), shape);

    /// <summary>E4M3 codes made by <paramref name="code"/>, as an F8_E4M3 tensor.</summary>
    public byte[] E4M3Codes(string name, Func<byte> code, params long[] shape)
    {
        var codes = new byte[Count(shape)];
        for (var i = 0; i < codes.Length; i++) codes[i] = code();
        Writer.Add(name, SafetensorsDType.F8E4M3, shape, codes);
        return codes;
    }

    /// <summary>Random BF16 values as a BF16 tensor; returns its bytes.</summary>
    public byte[] Bf16(string name, params long[] shape)
    {
        var bits = new ushort[Count(shape)];
        for (var i = 0; i < bits.Length; i++) bits[i] = RandomBf16();
        Writer.Add(name, SafetensorsDType.BF16, shape, bits.AsSpan());
        return ToBytes(bits);
    }

    /// <summary>Random F32 values that BF16 holds exactly, as an F32 tensor; returns the BF16 bytes they convert to.</summary>
    public byte[] F32ExactInBf16(string name, params long[] shape)
    {
        var bits = new ushort[Count(shape)];
        var values = new float[bits.Length];
        for (var i = 0; i < bits.Length; i++)
        {
            bits[i] = RandomBf16();
            values[i] = BitConverter.UInt32BitsToSingle((uint)bits[i] << 16);
        }

        Writer.Add(name, SafetensorsDType.F32, shape, values.AsSpan());
        return ToBytes(bits);
    }

    public void Scalar(string name, float value) => Writer.Add(name, SafetensorsDType.F32, [], new[] { value }.AsSpan());

    /// <summary>A ModelOpt NVFP4 linear [rows, cols]: weight, weight_scale, weight_scale_2 and an input_scale (which MoeTune ignores).</summary>
    public (byte[] Data, byte[] Scales) Nvfp4Linear(string module, int rows, int cols, float global, Func<byte>? scaleCode = null)
    {
        var data = U8($"{module}.weight", rows, cols / 2);
        var scales = scaleCode is null ? E4M3($"{module}.weight_scale", rows, cols / 16) : E4M3Codes($"{module}.weight_scale", scaleCode, rows, cols / 16);
        Scalar($"{module}.weight_scale_2", global);
        Scalar($"{module}.input_scale", 0.125f);
        return (data, scales);
    }

    /// <summary>A per-tensor FP8 linear [rows, cols]: weight and weight_scale.</summary>
    public byte[] Fp8Linear(string module, int rows, int cols, float scale, Func<byte>? code = null)
    {
        var data = code is null ? E4M3($"{module}.weight", rows, cols) : E4M3Codes($"{module}.weight", code, rows, cols);
        Scalar($"{module}.weight_scale", scale);
        return data;
    }

    public static float[] Bf16BytesToFloats(byte[] bf16)
    {
        var values = new float[bf16.Length / 2];
        for (var i = 0; i < values.Length; i++) values[i] = BitConverter.UInt32BitsToSingle((uint)BinaryPrimitives.ReadUInt16LittleEndian(bf16.AsSpan(2 * i)) << 16);
        return values;
    }

    private ushort RandomBf16() => (ushort)((Random.Next(2) << 15) | (Random.Next(110, 140) << 7) | Random.Next(128));

    private static byte[] ToBytes(ushort[] bits)
    {
        var bytes = new byte[2 * bits.Length];
        for (var i = 0; i < bits.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), bits[i]);
        return bytes;
    }

    private static int Count(long[] shape) => (int)shape.Aggregate(1L, (n, d) => n * d);
}
