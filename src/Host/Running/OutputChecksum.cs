using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace MoeTune.Host.Running;

/// <summary>A short fingerprint of an output: the first 16 hex digits of the SHA-256 of its bf16 bytes (little-endian).</summary>
internal static class OutputChecksum
{
    public static string Of(ReadOnlySpan<ushort> outputBf16) =>
        Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(outputBf16)))[..16];
}
