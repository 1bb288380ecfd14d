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
        CudaErrors.Check(Interop.Nvrtc.nvrtcGetNumSupportedArchs(out var count));
        var archs = new int[count];
        fixed (int* p = archs)
        {
            CudaErrors.Check(Interop.Nvrtc.nvrtcGetSupportedArchs(p));
        }

        return (new Version(major, minor), archs, $"NVRTC {major}.{minor}: {resolution.Describe()}; {builtins}");
    }

    /// <summary>The file NVRTC loads by name when it compiles, for example <c>libnvrtc-builtins.so.12.4</c>.</summary>
    internal static string BuiltinsName(Version version) =>
        string.Create(CultureInfo.InvariantCulture, $"libnvrtc-builtins.so.{version.Major}.{version.Minor}");

    /// <summary>
    /// NVRTC loads its builtins library by file name at compile time, which the system loader finds only on its own
    /// path. Where NVRTC itself came from a folder (an override, the toolkit folder, the repository's private copy), the
    /// builtins next to it are loaded first, so that NVRTC's request is answered by the copy already in the process.
    /// Where there is none, NVRTC searches the loader path itself; a failure then surfaces at the first compile, with
    /// this note in the message.
    /// </summary>
    private static string PreloadBuiltins(string nvrtcPath, int major, int minor)
    {
        var name = BuiltinsName(new Version(major, minor));
        if (OperatingSystem.IsWindows() || !Path.IsPathFullyQualified(nvrtcPath))
        {
            return $"{name} is left to the loader path";
        }

        var path = Path.Combine(Path.GetDirectoryName(nvrtcPath)!, name);
        if (!File.Exists(path))
        {
            return $"no {name} beside it: NVRTC will look on the loader path";
        }

        var (handle, error) = NativeLibraryResolver.TryLoad(path);
        return handle != 0 ? $"builtins preloaded from {path}" : $"preloading {path} failed ({error}): NVRTC will look on the loader path";
    }
}
