namespace MoeTune.Cuda.Native;

/// <summary>
/// Where one native library may be found: the variable that overrides the search, the file names to ask the
/// system loader for (newest first), and extra folders to look in when the loader does not know it.
/// </summary>
/// <param name="DisplayName">What a person calls it, for messages ("CUDA driver (libcuda)").</param>
/// <param name="OverrideVariable">An environment variable naming a file, or a folder holding one of <paramref name="FileNames"/>.</param>
/// <param name="FileNames">File names in order of preference.</param>
/// <param name="Folders">Folders to try after the loader path, given the environment and the app base directory.</param>
internal sealed record NativeLibrarySpec(
    string DisplayName,
    string OverrideVariable,
    IReadOnlyList<string> FileNames,
    Func<Func<string, string?>, string, IEnumerable<string>> Folders)
{
    /// <summary>The CUDA driver. It comes with the NVIDIA kernel driver, so only the loader path and the usual folders are searched.</summary>
    public static NativeLibrarySpec CudaDriver { get; } = new(
        "CUDA driver (libcuda)",
        "MOETUNE_LIBCUDA",
        OperatingSystem.IsWindows() ? ["nvcuda.dll"] : ["libcuda.so.1", "libcuda.so"],
        (_, _) => OperatingSystem.IsWindows() ? [] : ["/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib/wsl/lib"]);

    /// <summary>
    /// NVRTC: CUDA 13 first, then 12, then the unversioned name; after the loader path, the CUDA toolkit folders and the
    /// private copy that <c>tools/get-nvrtc</c> unpacks under the repository's <c>.nvrtc</c> folder.
    /// </summary>
    public static NativeLibrarySpec Nvrtc { get; } = new(
        "NVRTC (libnvrtc)",
        "MOETUNE_NVRTC",
        OperatingSystem.IsWindows() ? ["nvrtc64_130_0.dll", "nvrtc64_120_0.dll"] : ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"],
        NvrtcFolders);

    private static IEnumerable<string> NvrtcFolders(Func<string, string?> environment, string baseDirectory)
    {
        foreach (var variable in new[] { "CUDA_HOME", "CUDA_PATH" })
        {
            var root = environment(variable);
            if (!string.IsNullOrWhiteSpace(root))
            {
                yield return Path.Combine(root, OperatingSystem.IsWindows() ? "bin" : "lib64");
            }
        }

        if (!OperatingSystem.IsWindows())
        {
            yield return "/usr/local/cuda/lib64";
            yield return "/usr/local/cuda/targets/x86_64-linux/lib";
            yield return "/usr/lib/x86_64-linux-gnu";
        }

        var repositoryCopy = FindRepositoryNvrtc(baseDirectory);
        if (repositoryCopy is not null)
        {
            yield return repositoryCopy;
        }
    }

    /// <summary>Walks up from <paramref name="start"/> to the first folder holding <c>.nvrtc/root/usr/lib/x86_64-linux-gnu</c>.</summary>
    internal static string? FindRepositoryNvrtc(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, ".nvrtc", "root", "usr", "lib", "x86_64-linux-gnu");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
