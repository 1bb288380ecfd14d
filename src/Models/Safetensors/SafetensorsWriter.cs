using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace MoeTune.Models.Safetensors;

/// <summary>
/// Builds a safetensors file from named tensors: small test checkpoints, and the inputs and outputs of
/// <c>moetune run</c> (<see cref="MoeIoTensorNames"/>). Tensors are laid out largest element first, then by name, after
/// a header padded with spaces to a multiple of 8 bytes, so every tensor starts aligned to its element size.
/// </summary>
public sealed class SafetensorsWriter
{
    private readonly Dictionary<string, (SafetensorsDType Type, long[] Shape, byte[] Data)> _tensors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _metadata = new(StringComparer.Ordinal);

    /// <summary>Adds a tensor from raw little-endian bytes, which must match <paramref name="type"/> and <paramref name="shape"/>.</summary>
    public SafetensorsWriter Add(string name, SafetensorsDType type, IReadOnlyList<long> shape, ReadOnlySpan<byte> data)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        if (name == "__metadata__") throw new ArgumentException("'__metadata__' is reserved for the metadata map", nameof(name));
        if (type == SafetensorsDType.Unknown) throw new ArgumentException("a tensor needs a known dtype", nameof(type));
        if (shape.Any(d => d < 0)) throw new ArgumentException($"tensor '{name}': dimensions must not be negative", nameof(shape));
        var expected = checked(shape.Aggregate(1L, (n, d) => checked(n * d)) * type.SizeOf());
        if (data.Length != expected)
        {
            throw new ArgumentException(string.Create(
                CultureInfo.InvariantCulture,
                $"tensor '{name}': {type.ToName()} {SafetensorsTensorInfo.FormatShape(shape)} needs {expected} bytes, got {data.Length}"));
        }

        if (!_tensors.TryAdd(name, (type, [.. shape], data.ToArray())))
        {
            throw new ArgumentException($"tensor '{name}' was already added", nameof(name));
        }

        return this;
    }

    /// <summary>Adds a tensor from typed values (for example <c>float</c> for F32, <c>ushort</c> bit patterns for BF16).</summary>
    public SafetensorsWriter Add<T>(string name, SafetensorsDType type, IReadOnlyList<long> shape, ReadOnlySpan<T> values)
        where T : unmanaged
    {
        if (type != SafetensorsDType.Unknown && Unsafe.SizeOf<T>() != type.SizeOf())
        {
            throw new ArgumentException($"tensor '{name}': {typeof(T).Name} values cannot hold {type.ToName()} elements");
        }

        return Add(name, type, shape, MemoryMarshal.AsBytes(values));
    }

    /// <summary>Sets one <c>__metadata__</c> string.</summary>
    public SafetensorsWriter SetMetadata(string key, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        _metadata[key] = value;
        return this;
    }

    /// <summary>Writes the file to <paramref name="path"/>, replacing any file there.</summary>
    public void WriteTo(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        WriteTo(stream);
    }

    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors files are little-endian; this machine is not");
        var order = _tensors
            .OrderByDescending(t => t.Value.Type.SizeOf())
            .ThenBy(t => t.Key, StringComparer.Ordinal)
            .ToArray();
        var header = BuildHeader(order);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        foreach (var (_, tensor) in order) stream.Write(tensor.Data);
    }

    private byte[] BuildHeader(KeyValuePair<string, (SafetensorsDType Type, long[] Shape, byte[] Data)>[] order)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (_metadata.Count > 0)
            {
                json.WriteStartObject("__metadata__");
                foreach (var (key, value) in _metadata.OrderBy(m => m.Key, StringComparer.Ordinal)) json.WriteString(key, value);
                json.WriteEndObject();
            }

            var offset = 0L;
            foreach (var (name, tensor) in order)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", tensor.Type.ToName());
                json.WriteStartArray("shape");
                foreach (var d in tensor.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + tensor.Data.LongLength);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += tensor.Data.LongLength;
            }

            json.WriteEndObject();
        }

        // Pad with spaces (valid JSON whitespace) so that the data section starts 8-byte aligned.
        var padding = (int)((8 - (buffer.Length % 8)) % 8);
        buffer.Write(Encoding.ASCII.GetBytes(new string(' ', padding)));
        return buffer.ToArray();
    }
}
