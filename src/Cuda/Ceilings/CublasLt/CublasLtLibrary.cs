using System.Globalization;
using MoeTune.Cuda.Native;

namespace MoeTune.Cuda.Ceilings.CublasLt;

/// <summary>
/// Whether cuBLASLt can be used here, and which version it is. It ships with every CUDA toolkit but not with the
/// driver, so "absent" is a normal answer with the search trace, never a crash. Found by the same resolver as libcuda
/// and NVRTC: <c>MOETUNE_CUBLASLT</c> (a file or a folder) when set and nothing else, otherwise the loader path, then
/// the folders NVRTC is looked for in (<c>$CUDA_HOME/lib64</c>, <c>/usr/local/cuda/lib64</c>, …): every CUDA toolkit
/// installs the two libraries side by side.
/// </summary>
public static class CublasLtLibrary
{
    /// <summary>Where cuBLASLt may be found: CUDA 13 first, then 12, then the unversioned name.</summary>
    internal static NativeLibrarySpec Spec { get; } = new(
        "cuBLASLt (libcublasLt)",
        "MOETUNE_CUBLASLT",
        OperatingSystem.IsWindows() ? ["cublasLt64_13.dll", "cublasLt64_12.dll"] : ["libcublasLt.so.13", "libcublasLt.so.12", "libcublasLt.so"],
        NativeLibrarySpec.Nvrtc.Folders);

    private static readonly Lazy<NativeLibraryResolution> Resolved = new(() =>
        NativeLibraryResolver.Resolve(Spec, Environment.GetEnvironmentVariable, AppContext.BaseDirectory, NativeLibraryResolver.TryLoad));

    private static readonly Lazy<string?> VersionText = new(ReadVersion);

    /// <summary>The resolver's account of where cuBLASLt came from (or every place it looked).</summary>
    public static NativeLibraryResolution Resolution => Resolved.Value;

    /// <summary>True where cuBLASLt loaded; otherwise <paramref name="reason"/> carries the search trace.</summary>
    public static bool TryLoad(out string reason)
    {
        reason = Resolution.Describe();
        return Resolution.IsLoaded;
    }

    /// <summary>"12.8.4" as cublasLtGetVersion reports it; throws <see cref="CudaUnavailableException"/> where cuBLASLt is absent.</summary>
    public static string Version => VersionText.Value ?? throw new CudaUnavailableException(Resolution.Describe());

    /// <summary>The handle the assembly's import resolver hands out for <see cref="CublasLtInterop.LibraryName"/>.</summary>
    internal static nint Handle => Resolution.Handle;

    private static string? ReadVersion()
    {
        if (!Resolution.IsLoaded)
        {
            return null;
        }

        // CUBLAS_VERSION = major·10000 + minor·100 + patch.
        var version = (ulong)CublasLtInterop.cublasLtGetVersion();
        return string.Create(CultureInfo.InvariantCulture, $"{version / 10000}.{version / 100 % 100}.{version % 100}");
    }
}
