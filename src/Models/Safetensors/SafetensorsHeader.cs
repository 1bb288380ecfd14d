using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;

namespace MoeTune.Models.Safetensors;

/// <summary>
/// The parsed and validated header of a safetensors file: an 8-byte little-endian header length N, N bytes of UTF-8
/// JSON mapping tensor names to <c>{dtype, shape, data_offsets}</c> (plus an optional <c>__metadata__</c> map of
/// strings), then the data section. As the format requires, the tensors' byte ranges must cover the data section
/// exactly, without holes or overlaps, and each range's length must match its dtype and shape.
/// </summary>
internal sealed class SafetensorsHeader
{
    /// <summary>The format's own limit on the JSON header (100 MB), which also bounds what a corrupt length can make us read.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";

    private SafetensorsHeader(long dataStart, IReadOnlyDictionary<string, SafetensorsTensorInfo> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        DataStart = dataStart;
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>The file offset of the data section (8 + N).</summary>
    public long DataStart { get; }

    public IReadOnlyDictionary<string, SafetensorsTensorInfo> Tensors { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Reads the header length from the first 8 bytes and checks it against the file's length.</summary>
    public static long ReadHeaderLength(ReadOnlySpan<byte> first8, long fileLength, string path)
    {
        var length = BinaryPrimitives.ReadUInt64LittleEndian(first8);
        if (length > MaxHeaderBytes)
        {
            throw new CheckpointException(path, null, Invariant($"header length {length} exceeds the format's limit of {MaxHeaderBytes} bytes"));
        }

        if ((long)length > fileLength - 8)
        {
            throw new CheckpointException(path, null, Invariant($"header length {length} runs past the end of the {fileLength}-byte file"));
        }

        return (long)length;
    }

    /// <summary>Parses and validates the JSON header; <paramref name="dataLength"/> is the data section's size.</summary>
    public static SafetensorsHeader Parse(ReadOnlySpan<byte> json, long dataLength, string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException e)
        {
            throw new CheckpointException(path, null, $"header is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointException(path, null, $"header must be a JSON object, not {document.RootElement.ValueKind}");
            }

            var tensors = new Dictionary<string, SafetensorsTensorInfo>(StringComparer.Ordinal);
            IReadOnlyDictionary<string, string> metadata = new Dictionary<string, string>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    metadata = ParseMetadata(property.Value, path);
                }
                else if (!tensors.TryAdd(property.Name, ParseEntry(property.Name, property.Value, path)))
                {
                    throw new CheckpointException(path, property.Name, "appears twice in the header");
                }
            }

            CheckCoverage(tensors.Values, dataLength, path);
            return new SafetensorsHeader(8 + json.Length, tensors, metadata);
        }
    }

    private static SafetensorsTensorInfo ParseEntry(string name, JsonElement entry, string path)
    {
        if (entry.ValueKind != JsonValueKind.Object) throw new CheckpointException(path, name, "header entry is not an object");
        if (!entry.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String)
        {
            throw new CheckpointException(path, name, "header entry lacks a string 'dtype'");
        }

        var shape = ReadLongs(entry, "shape", name, path);
        var offsets = ReadLongs(entry, "data_offsets", name, path);
        if (offsets.Length != 2 || offsets[1] < offsets[0])
        {
            throw new CheckpointException(path, name, "'data_offsets' must be [begin, end] with begin <= end");
        }

        var dtypeName = dtype.GetString()!;
        var info = new SafetensorsTensorInfo(name, SafetensorsDTypes.Parse(dtypeName), dtypeName, shape, offsets[0], offsets[1]);
        if (info.DType != SafetensorsDType.Unknown)
        {
            long expected;
            try
            {
                expected = checked(info.ElementCount * info.DType.SizeOf());
            }
            catch (OverflowException e)
            {
                throw new CheckpointException(path, name, $"shape {info.ShapeText} is too large", e);
            }

            if (expected != info.ByteLength)
            {
                throw new CheckpointException(path, name, Invariant(
                    $"{dtypeName} {info.ShapeText} needs {expected} bytes but data_offsets [{info.Begin}, {info.End}] span {info.ByteLength}"));
            }
        }

        return info;
    }

    private static long[] ReadLongs(JsonElement entry, string field, string name, string path)
    {
        if (!entry.TryGetProperty(field, out var array) || array.ValueKind != JsonValueKind.Array)
        {
            throw new CheckpointException(path, name, $"header entry lacks an array '{field}'");
        }

        var values = new long[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var value) || value < 0)
            {
                throw new CheckpointException(path, name, $"'{field}' must hold non-negative integers, got {item.GetRawText()}");
            }

            values[i++] = value;
        }

        return values;
    }

    private static Dictionary<string, string> ParseMetadata(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object) throw new CheckpointException(path, null, "'__metadata__' must be an object");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in element.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
            {
                throw new CheckpointException(path, null, $"'__metadata__.{item.Name}' must be a string");
            }

            metadata[item.Name] = item.Value.GetString()!;
        }

        return metadata;
    }

    private static void CheckCoverage(IEnumerable<SafetensorsTensorInfo> tensors, long dataLength, string path)
    {
        var expectedBegin = 0L;
        SafetensorsTensorInfo? previous = null;
        foreach (var tensor in tensors.OrderBy(t => t.Begin).ThenBy(t => t.End))
        {
            if (tensor.Begin != expectedBegin)
            {
                var what = tensor.Begin > expectedBegin ? "leaves a hole" : "overlaps";
                var after = previous is null ? "the start of the data section" : $"tensor '{previous.Name}' (ends at {expectedBegin})";
                throw new CheckpointException(path, tensor.Name, Invariant($"begins at {tensor.Begin}, which {what} after {after}"));
            }

            expectedBegin = tensor.End;
            previous = tensor;
        }

        if (expectedBegin != dataLength)
        {
            throw new CheckpointException(path, null, Invariant(
                $"the tensors cover {expectedBegin} bytes but the data section after the header holds {dataLength}"));
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
