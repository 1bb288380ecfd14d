using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace MoeTune.Cuda.Compilation;

/// <summary>
/// CUDA C++ text with the name NVRTC reports it under (a kernel file) or includes it by (a header, for example
/// <c>moetune/bf16.cuh</c>).
/// </summary>
public sealed record KernelSource(string Name, string Code)
{
    private readonly Lazy<string> hash = new(() => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Code))));

    /// <summary>SHA-256 of <see cref="Code"/> (hex), for plugin source hashes and cache keys.</summary>
    public string Sha256 => hash.Value;

    /// <summary>
    /// Reads an embedded resource, for example <c>kernels/marlin_gemm.cu</c> (plugins embed <c>kernels/**</c> under
    /// that logical name). Throws listing the assembly's resources when it has no such one.
    /// </summary>
    public static KernelSource FromResource(Assembly assembly, string resourceName)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        using var stream = assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException(
                $"assembly {assembly.GetName().Name} has no embedded resource '{resourceName}'; it has: {string.Join(", ", assembly.GetManifestResourceNames())}");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return new KernelSource(Path.GetFileName(resourceName), reader.ReadToEnd());
    }
}
