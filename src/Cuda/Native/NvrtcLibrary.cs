using System.Globalization;

namespace MoeTune.Cuda.Native;

/// <summary>
/// Whether NVRTC can be used here, which version it is and which architectures it targets. "Not installed" is an
/// answer, not a crash: <see cref="TryLoad"/> says why, with the library search trace.
/// </summary>
public static class NvrtcLibrary
{
    private static readonly Lazy<(Version? Version, IReadOnlyList<int> Archs, string Reason)> State = new(Probe);

    /// <summary>True where NVRTC loaded and answered its version; otherwise <paramref name="reason"/> says why.</summary>
    public static bool TryLoad(out string reason)
    {
        reason = State.Value.Reason;
        return State.Value.Version is not null;
    }

    /// <summary>NVRTC's version, for example 12.4. Throws <see cref="CudaUnavailableException"/> where NVRTC is absent.</summary>
    public static Version Version => State.Value.Version ?? throw new CudaUnavailableException(State.Value.Reason);

    /// <summary>Compute capabilities this NVRTC can target, as numbers (80, 89, 90 ...).</summary>
    public static IReadOnlyList<int> SupportedArchitectures =>
        State.Value.Version is not null ? State.Value.Archs : throw new CudaUnavailableException(State.Value.Reason);

    /// <summary>The resolver's account of where NVRTC came from.</summary>
    public static NativeLibraryResolution Resolution => NativeLibraryResolver.Nvrtc;

    private static unsafe (Version?, IReadOnlyList<int>, string) Probe()
    {
        NativeLibraryResolver.Install();
        var resolution = NativeLibraryResolver.Nvrtc;
        if (!resolution.IsLoaded)
        {
            return (null, [], resolution.Describe());
        }

        CudaErrors.Check(Interop.Nvrtc.nvrtcVersion(out var major, out var minor));
        var builtins = PreloadBuiltins(resolution.Loaded!.Candidate, major, minor);
        if (builtins.Error is not null)
        {
            return (null, [], $"{resolution.Describe()}, but its builtins library is missing: {builtins.Error}");
        }

        CudaErrors.Check(Interop.Nvrtc.nvrtcGetNumSupportedArchs(out var count));
        var archs = new int[count];
        fixed (int* p = archs)
        {
            CudaErrors.Check(Interop.Nvrtc.nvrtcGetSupportedArchs(p));
        }

        return (new Version(major, minor), archs, $"NVRTC {major}.{minor}: {resolution.Describe()}{builtins.Note}");
    }

    /// <summary>
    /// NVRTC loads libnvrtc-builtins.so.MAJOR.MINOR by file name at compile time, which the system loader finds only on
    /// its own path. Where NVRTC itself came from a folder (an override, the toolkit folder, the repository's private
    /// copy), the builtins next to it are loaded first, so that NVRTC's request is answered by the copy already in the
    /// process.
    /// </summary>
    private static (string Note, string? Error) PreloadBuiltins(string nvrtcPath, int major, int minor)
    {
        if (OperatingSystem.IsWindows() || !Path.IsPathFullyQualified(nvrtcPath))
        {
            return ("", null);
        }

        var name = string.Create(CultureInfo.InvariantCulture, $"libnvrtc-builtins.so.{major}.{minor}");
        var path = Path.Combine(Path.GetDirectoryName(nvrtcPath)!, name);
        if (!File.Exists(path))
        {
            return ("", $"{path} does not exist");
        }

        var (handle, error) = NativeLibraryResolver.TryLoad(path);
        return handle != 0 ? ($"; builtins {path}", null) : ("", $"{path}: {error}");
    }
}
