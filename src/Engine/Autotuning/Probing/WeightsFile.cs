using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;

namespace MoeTune.Engine.Autotuning.Probing;

/// <summary>
/// The tune's weights as a file a probe child reads, so that every child measures the very weights the tuner holds
/// (a checkpoint's or synthetic ones) without drawing or converting them again. Written once per tune into a private
/// temporary folder. Layout, little-endian: the magic and version, the canonical shape, then per expert W13 and W2
/// (format, rows, cols, global scale, data, scales) and the two biases where the activation has them. Reading checks
/// every size against the shape before allocating, and the weight types check the rest.
/// </summary>
internal static class WeightsFile
{
    private const string Magic = "MOETUNE-WEIGHTS";
    private const int Version = 1;
    private const int BufferBytes = 1 << 20;

    public static void Write(string path, MoeWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferBytes);
        using var writer = new BinaryWriter(stream, Encoding.UTF8);
        writer.Write(Magic);
        writer.Write(Version);
        writer.Write(weights.Shape.CanonicalText);
        foreach (var expert in weights.Experts)
        {
            WriteMatrix(writer, expert.W13);
            WriteMatrix(writer, expert.W2);
            if (weights.Shape.Activation.HasBiases())
            {
                writer.Write(MemoryMarshal.AsBytes<float>(expert.Bias13!));
                writer.Write(MemoryMarshal.AsBytes<float>(expert.Bias2!));
            }
        }
    }

    /// <exception cref="InvalidDataException">The file is not a weights file of this version, or is cut short or inconsistent.</exception>
    public static MoeWeights Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferBytes);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            if (reader.ReadString() != Magic || reader.ReadInt32() != Version)
            {
                throw new InvalidDataException($"{path} is not a MoeTune weights file of version {Version}");
            }

            var shape = MoeShape.ParseCanonical(reader.ReadString());
            var experts = new ExpertWeights[shape.Experts];
            for (var e = 0; e < experts.Length; e++)
            {
                var w13 = ReadMatrix(reader, shape.Format, shape.W13Rows, shape.Hidden);
                var w2 = ReadMatrix(reader, shape.Format, shape.Hidden, shape.Intermediate);
                experts[e] = shape.Activation.HasBiases()
                    ? new ExpertWeights(w13, w2, ReadFloats(reader, shape.W13Rows), ReadFloats(reader, shape.Hidden))
                    : new ExpertWeights(w13, w2);
            }

            if (stream.Position != stream.Length)
            {
                throw new InvalidDataException($"{path} holds {stream.Length - stream.Position} bytes after the last expert");
            }

            return new MoeWeights(shape, experts);
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException or ArgumentException)
        {
            throw new InvalidDataException($"{path} is not a readable weights file: {e.Message}", e);
        }
    }

    private static void WriteMatrix(BinaryWriter writer, QuantizedMatrix matrix)
    {
        writer.Write((int)matrix.Format);
        writer.Write(matrix.Rows);
        writer.Write(matrix.Cols);
        writer.Write(matrix.GlobalScale);
        writer.Write(matrix.Data);
        writer.Write(matrix.Scales);
    }

    private static QuantizedMatrix ReadMatrix(BinaryReader reader, WeightFormat format, int rows, int cols)
    {
        var (storedFormat, storedRows, storedCols) = ((WeightFormat)reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());
        if (storedFormat != format || storedRows != rows || storedCols != cols)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"a matrix is {storedFormat} [{storedRows}, {storedCols}] where the shape needs {format} [{rows}, {cols}]"));
        }

        var globalScale = reader.ReadSingle();
        var data = ReadBytes(reader, QuantizedMatrix.DataBytes(format, rows, cols));
        var scales = ReadBytes(reader, QuantizedMatrix.ScaleBytes(format, rows, cols));
        return new QuantizedMatrix(format, rows, cols, data, scales, globalScale);
    }

    private static float[] ReadFloats(BinaryReader reader, int count)
    {
        var values = new float[count];
        reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    private static byte[] ReadBytes(BinaryReader reader, long count)
    {
        var bytes = new byte[count];
        reader.BaseStream.ReadExactly(bytes);
        return bytes;
    }
}
