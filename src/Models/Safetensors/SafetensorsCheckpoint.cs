using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace MoeTune.Models.Safetensors;

/// <summary>
/// A checkpoint folder of safetensors files. With <c>model.safetensors.index.json</c> its <c>weight_map</c> says which
/// file holds each tensor and a file is opened (its header read) only when one of its tensors is first asked for;
/// without an index every <c>*.safetensors</c> file's header is read to learn the names. Tensor data is never read
/// until asked for. Not thread-safe.
/// </summary>
public sealed class SafetensorsCheckpoint : IDisposable
{
    public const string IndexFileName = "model.safetensors.index.json";

    private readonly IReadOnlyDictionary<string, string> _fileOfTensor;
    private readonly Dictionary<string, SafetensorsFile> _open = new(StringComparer.Ordinal);
    private bool _disposed;

    private SafetensorsCheckpoint(string folder, IReadOnlyDictionary<string, string> fileOfTensor, IEnumerable<SafetensorsFile> alreadyOpen)
    {
        Folder = folder;
        _fileOfTensor = fileOfTensor;
        foreach (var file in alreadyOpen) _open[file.Path] = file;
    }

    /// <summary>The folder's full path.</summary>
    public string Folder { get; }

    /// <summary>Every tensor name in the checkpoint.</summary>
    public IEnumerable<string> TensorNames => _fileOfTensor.Keys;

    /// <summary>Opens the checkpoint in <paramref name="folder"/>; a malformed index or file is a <see cref="CheckpointException"/>.</summary>
    public static SafetensorsCheckpoint Open(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var full = Path.GetFullPath(folder);
        if (!Directory.Exists(full)) throw new CheckpointException(full, null, "is not a folder");
        var index = Path.Combine(full, IndexFileName);
        return File.Exists(index) ? FromIndex(full, index) : FromScan(full);
    }

    public bool Contains(string name) => _fileOfTensor.ContainsKey(name);

    /// <summary>The entry of <paramref name="name"/>; a missing tensor is a <see cref="CheckpointException"/> naming the folder.</summary>
    public SafetensorsTensorInfo GetInfo(string name) => FileOf(name).GetInfo(name);

    public bool TryGetInfo(string name, [NotNullWhen(true)] out SafetensorsTensorInfo? info)
    {
        info = Contains(name) ? GetInfo(name) : null;
        return info is not null;
    }

    /// <summary>All bytes of one tensor, in place.</summary>
    public ReadOnlySpan<byte> GetSpan(string name) => FileOf(name).GetSpan(name);

    /// <summary>A slice of one tensor's bytes, in place (see <see cref="SafetensorsFile.GetSpan(string, long, int)"/>).</summary>
    public ReadOnlySpan<byte> GetSpan(string name, long start, int length) => FileOf(name).GetSpan(name, start, length);

    /// <summary>A copy of one tensor's bytes.</summary>
    public byte[] ReadBytes(string name) => FileOf(name).ReadBytes(name);

    /// <summary>The file holding <paramref name="name"/>, opened on first use.</summary>
    public SafetensorsFile FileOf(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_fileOfTensor.TryGetValue(name, out var path)) throw new CheckpointException(Folder, name, "is not in this checkpoint");
        if (!_open.TryGetValue(path, out var file))
        {
            file = SafetensorsFile.Open(path);
            _open[path] = file;
        }

        if (!file.Contains(name))
        {
            throw new CheckpointException(path, name, $"is missing, though {IndexFileName} places it in this file");
        }

        return file;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var file in _open.Values) file.Dispose();
        _open.Clear();
    }

    private static SafetensorsCheckpoint FromIndex(string folder, string index)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(index));
        }
        catch (JsonException e)
        {
            throw new CheckpointException(index, null, $"is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointException(index, null, "lacks a 'weight_map' object");
            }

            var fileOfTensor = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in map.EnumerateObject())
            {
                var fileName = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString()! : "";
                if (fileName.Length == 0 || Path.IsPathRooted(fileName) || fileName.Split('/', '\\').Contains(".."))
                {
                    throw new CheckpointException(index, entry.Name, $"weight_map names '{entry.Value.GetRawText()}', not a file in the checkpoint folder");
                }

                var path = Path.Combine(folder, fileName);
                if (!File.Exists(path)) throw new CheckpointException(index, entry.Name, $"weight_map names '{fileName}', which does not exist");
                fileOfTensor[entry.Name] = path;
            }

            return new SafetensorsCheckpoint(folder, fileOfTensor, []);
        }
    }

    private static SafetensorsCheckpoint FromScan(string folder)
    {
        var paths = Directory.GetFiles(folder, "*.safetensors").Order(StringComparer.Ordinal).ToArray();
        if (paths.Length == 0) throw new CheckpointException(folder, null, $"holds no *.safetensors file and no {IndexFileName}");
        var files = new List<SafetensorsFile>();
        try
        {
            var fileOfTensor = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var path in paths)
            {
                var file = SafetensorsFile.Open(path);
                files.Add(file);
                foreach (var name in file.Tensors.Keys)
                {
                    if (!fileOfTensor.TryAdd(name, file.Path))
                    {
                        throw new CheckpointException(folder, name, $"is in both {Path.GetFileName(fileOfTensor[name])} and {Path.GetFileName(path)}");
                    }
                }
            }

            return new SafetensorsCheckpoint(folder, fileOfTensor, files);
        }
        catch
        {
            foreach (var file in files) file.Dispose();
            throw;
        }
    }
}
