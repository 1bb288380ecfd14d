using System.Globalization;
using System.IO.MemoryMappedFiles;

namespace MoeTune.Models.Safetensors;

/// <summary>
/// One safetensors file, memory-mapped read-only: opening it reads and validates the header only; a tensor's bytes are
/// touched (paged in) when asked for, and no other tensor's are. Spans stay valid until the file is disposed.
/// </summary>
public sealed unsafe class SafetensorsFile : IDisposable
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private readonly SafetensorsHeader _header;
    private bool _disposed;

    private SafetensorsFile(string path, long length, MemoryMappedFile map, MemoryMappedViewAccessor view, byte* basePointer)
    {
        Path = path;
        Length = length;
        _map = map;
        _view = view;
        _base = basePointer;
        var headerLength = SafetensorsHeader.ReadHeaderLength(new ReadOnlySpan<byte>(_base, 8), length, path);
        _header = SafetensorsHeader.Parse(new ReadOnlySpan<byte>(_base + 8, (int)headerLength), length - 8 - headerLength, path);
    }

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    /// <summary>The file's size in bytes.</summary>
    public long Length { get; }

    /// <summary>Every tensor of the file, by name.</summary>
    public IReadOnlyDictionary<string, SafetensorsTensorInfo> Tensors => _header.Tensors;

    /// <summary>The header's <c>__metadata__</c> strings (empty where it has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata => _header.Metadata;

    /// <summary>Maps <paramref name="path"/> and validates its header; a malformed file is a <see cref="CheckpointException"/>.</summary>
    public static SafetensorsFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors files are little-endian; this machine is not");
        var full = System.IO.Path.GetFullPath(path);
        long length;
        try
        {
            length = new FileInfo(full).Length;
        }
        catch (FileNotFoundException e)
        {
            throw new CheckpointException(full, null, "does not exist", e);
        }

        if (length < 8)
        {
            throw new CheckpointException(full, null, string.Create(CultureInfo.InvariantCulture, $"is {length} bytes, too short for the 8-byte header length"));
        }

        MemoryMappedFile? map = null;
        MemoryMappedViewAccessor? view = null;
        var acquired = false;
        try
        {
            map = MemoryMappedFile.CreateFromFile(full, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
            view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            acquired = true;
            return new SafetensorsFile(full, length, map, view, pointer + view.PointerOffset);
        }
        catch
        {
            if (acquired) view!.SafeMemoryMappedViewHandle.ReleasePointer();
            view?.Dispose();
            map?.Dispose();
            throw;
        }
    }

    public bool Contains(string name) => _header.Tensors.ContainsKey(name);

    /// <summary>The entry of <paramref name="name"/>; a missing tensor is a <see cref="CheckpointException"/>.</summary>
    public SafetensorsTensorInfo GetInfo(string name) =>
        _header.Tensors.TryGetValue(name, out var info) ? info : throw new CheckpointException(Path, name, "is not in this file");

    /// <summary>All bytes of one tensor, read in place (no copy).</summary>
    public ReadOnlySpan<byte> GetSpan(string name) => GetSpan(name, 0, checked((int)CheckedLength(GetInfo(name))));

    /// <summary>
    /// <paramref name="length"/> bytes of one tensor from <paramref name="start"/> (counted from the tensor's first byte),
    /// read in place: for example one expert's slice of a fused [E, …] tensor.
    /// </summary>
    public ReadOnlySpan<byte> GetSpan(string name, long start, int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var info = GetInfo(name);
        if (start < 0 || length < 0 || start > info.ByteLength - length)
        {
            throw new ArgumentOutOfRangeException(
                nameof(start),
                string.Create(CultureInfo.InvariantCulture, $"bytes [{start}, {start + length}) are outside tensor '{name}' ({info.ByteLength} bytes)"));
        }

        return new ReadOnlySpan<byte>(_base + _header.DataStart + info.Begin + start, length);
    }

    /// <summary>A copy of one tensor's bytes.</summary>
    public byte[] ReadBytes(string name) => GetSpan(name).ToArray();

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }

    private long CheckedLength(SafetensorsTensorInfo info) => info.ByteLength <= int.MaxValue
        ? info.ByteLength
        : throw new CheckpointException(Path, info.Name, string.Create(
            CultureInfo.InvariantCulture,
            $"holds {info.ByteLength} bytes, more than one span can address; read it in slices with GetSpan(name, start, length)"));
}
