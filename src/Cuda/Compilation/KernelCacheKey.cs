using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace MoeTune.Cuda.Compilation;

/// <summary>
/// The disk cache's key: SHA-256 over the source, every header (name and content), the options, the target and
/// the NVRTC version, each field length-prefixed so that no two different inputs serialise alike.
/// </summary>
public static class KernelCacheKey
{
    private const string Schema = "moetune-kernel-cache-key/1";

    public static byte[] Compute(KernelSource source, IEnumerable<KernelSource> headers, IReadOnlyList<string> options, GpuArch arch, Version nvrtcVersion)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(nvrtcVersion);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, Schema);
        Append(hash, nvrtcVersion.ToString());
        Append(hash, arch.ToString());
        Append(hash, options.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var option in options)
        {
            Append(hash, option);
        }

        Append(hash, source.Name);
        Append(hash, source.Code);
        foreach (var header in headers.OrderBy(h => h.Name, StringComparer.Ordinal))
        {
            Append(hash, header.Name);
            Append(hash, header.Code);
        }

        return hash.GetHashAndReset();
    }

    private static void Append(IncrementalHash hash, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(length, bytes.LongLength);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }
}
