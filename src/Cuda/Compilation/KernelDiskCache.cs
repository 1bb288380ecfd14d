using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace MoeTune.Cuda.Compilation;

/// <summary>What a cache read found.</summary>
public enum KernelCacheStatus
{
    Miss,
    Hit,

    /// <summary>An entry was there but failed verification; it has been deleted.</summary>
    Corrupt,
}

/// <summary>A cache read: the cubin and log on a hit, the reason on a corrupt entry.</summary>
public sealed record KernelCacheRead(KernelCacheStatus Status, byte[]? Cubin = null, string? Log = null, string? Problem = null);

/// <summary>
/// Compiled cubins on disk, one file per key (CuPy style). An entry is written to a temporary name and renamed into
/// place, so readers never see half a file and two processes racing on one key both leave a whole entry. Each file
/// carries its key, lengths and a SHA-256 of its payload; a read that does not verify is reported and deleted, and
/// the caller recompiles.
/// </summary>
/// <remarks>
/// Layout: "MTKCACHE" | u32 format 1 | key (32 B) | i32 cubin length | i32 log length | SHA-256 of cubin+log (32 B) |
/// cubin | log (UTF-8). Integers little-endian.
/// </remarks>
public sealed class KernelDiskCache
{
    /// <summary>The variable that moves the cache.</summary>
    public const string DirectoryVariable = "MOETUNE_KERNEL_CACHE";

    private const int FormatVersion = 1;
    private const int HeaderBytes = 8 + 4 + 32 + 4 + 4 + 32;
    private static readonly byte[] Magic = "MTKCACHE"u8.ToArray();

    public KernelDiskCache(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
    }

    public string Directory { get; }

    /// <summary><c>MOETUNE_KERNEL_CACHE</c>, else <c>$XDG_CACHE_HOME/moetune/kernels</c>, else <c>~/.cache/moetune/kernels</c>.</summary>
    public static string DefaultDirectory()
    {
        var configured = Environment.GetEnvironmentVariable(DirectoryVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var cacheHome = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrWhiteSpace(cacheHome))
        {
            cacheHome = OperatingSystem.IsWindows()
                ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        }

        return Path.Combine(cacheHome, "moetune", "kernels");
    }

    /// <summary>The file that holds <paramref name="key"/>'s entry.</summary>
    public string PathFor(ReadOnlySpan<byte> key) => Path.Combine(Directory, Convert.ToHexStringLower(key) + ".mtk");

    public KernelCacheRead Read(ReadOnlySpan<byte> key)
    {
        var path = PathFor(key);
        byte[] file;
        try
        {
            file = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new KernelCacheRead(KernelCacheStatus.Miss);
        }

        var problem = Verify(file, key, out var cubin, out var log);
        if (problem is null)
        {
            return new KernelCacheRead(KernelCacheStatus.Hit, cubin, log);
        }

        File.Delete(path);
        return new KernelCacheRead(KernelCacheStatus.Corrupt, Problem: $"{path}: {problem}");
    }

    /// <summary>Stores an entry atomically (temporary file, then rename over any existing one).</summary>
    public void Write(ReadOnlySpan<byte> key, byte[] cubin, string log)
    {
        ArgumentNullException.ThrowIfNull(cubin);
        ArgumentNullException.ThrowIfNull(log);
        System.IO.Directory.CreateDirectory(Directory);
        var path = PathFor(key);
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllBytes(temporary, Serialize(key, cubin, log));
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    internal static byte[] Serialize(ReadOnlySpan<byte> key, byte[] cubin, string log)
    {
        var logBytes = Encoding.UTF8.GetBytes(log);
        var file = new byte[HeaderBytes + cubin.Length + logBytes.Length];
        var span = file.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], FormatVersion);
        key.CopyTo(span[12..44]);
        BinaryPrimitives.WriteInt32LittleEndian(span[44..], cubin.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span[48..], logBytes.Length);
        cubin.CopyTo(span[HeaderBytes..]);
        logBytes.CopyTo(span[(HeaderBytes + cubin.Length)..]);
        SHA256.HashData(span[HeaderBytes..], span[52..84]);
        return file;
    }

    private static string? Verify(byte[] file, ReadOnlySpan<byte> key, out byte[] cubin, out string log)
    {
        cubin = [];
        log = "";
        var span = file.AsSpan();
        if (file.Length < HeaderBytes || !span[..8].SequenceEqual(Magic))
        {
            return "not a MoeTune kernel cache entry";
        }

        if (BinaryPrimitives.ReadInt32LittleEndian(span[8..]) != FormatVersion)
        {
            return "written in another cache format";
        }

        if (!span[12..44].SequenceEqual(key))
        {
            return "holds another key";
        }

        var cubinLength = BinaryPrimitives.ReadInt32LittleEndian(span[44..]);
        var logLength = BinaryPrimitives.ReadInt32LittleEndian(span[48..]);
        if (cubinLength <= 0 || logLength < 0 || (long)HeaderBytes + cubinLength + logLength != file.Length)
        {
            return $"lengths ({cubinLength} + {logLength}) do not match the file's {file.Length} bytes";
        }

        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(span[HeaderBytes..], digest);
        if (!digest.SequenceEqual(span[52..84]))
        {
            return "payload does not match its SHA-256";
        }

        cubin = span.Slice(HeaderBytes, cubinLength).ToArray();
        log = Encoding.UTF8.GetString(span.Slice(HeaderBytes + cubinLength, logLength));
        return null;
    }
}
