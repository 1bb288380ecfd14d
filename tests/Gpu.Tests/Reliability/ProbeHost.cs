using MoeTune.Engine.Autotuning.Probing;
using MoeTune.Fixtures.OutOfBoundsPlugin;

namespace MoeTune.Gpu.Tests.Reliability;

/// <summary>
/// What a tune with probe children needs from the packed suite: the published moetune host (tools/gpu-pack puts it in
/// .gpu/app, beside this suite's .gpu/tests) to run <c>moetune probe</c>, its Marlin plugin, and the out-of-bounds
/// fixture plugin (referenced by the suite, so its DLL sits beside the tests).
/// </summary>
internal static class ProbeHost
{
    /// <summary>Names the folder of the published moetune host where it is not <c>../app</c> from the suite.</summary>
    public const string Variable = "MOETUNE_TEST_APP";

    /// <summary>The folder holding moetune.dll and plugins/Marlin; fails saying how to provide one where there is none.</summary>
    public static string Find()
    {
        var folder = Path.GetFullPath(Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } set
            ? set
            : Path.Combine(AppContext.BaseDirectory, "..", "app"));
        var missing = new[] { HostProbeLauncher.HostName + ".dll", Path.Combine("plugins", "Marlin", "Marlin.dll") }
            .Where(file => !File.Exists(Path.Combine(folder, file)))
            .ToList();
        Assert.True(missing.Count == 0,
            $"the reliability tests probe candidates with 'moetune probe' from {folder}, which lacks {string.Join(" and ", missing)}: " +
            $"run tools/gpu-pack (it publishes the host to .gpu/app beside .gpu/tests) or set {Variable} to a published host's folder");
        return folder;
    }

    /// <summary>
    /// An application folder under <paramref name="root"/> whose <c>plugins/</c> holds exactly Marlin (from
    /// <paramref name="host"/>) and the out-of-bounds fixture, so that these are the tune's only GPU candidates. Files
    /// are made writable by their owner only, since the host refuses plugin folders others could change.
    /// </summary>
    public static string AssemblePlugins(string root, string host)
    {
        var plugins = CreateFolder(Path.Combine(root, "plugins"));
        CopyFolder(Path.Combine(host, "plugins", "Marlin"), Path.Combine(plugins, "Marlin"));
        var assembly = typeof(OutOfBoundsBackend).Assembly.Location;
        var fixture = CreateFolder(Path.Combine(plugins, Path.GetFileNameWithoutExtension(assembly)));
        CopyFile(assembly, Path.Combine(fixture, Path.GetFileName(assembly)));
        return root;
    }

    private static void CopyFolder(string source, string target)
    {
        CreateFolder(target);
        foreach (var file in Directory.GetFiles(source))
        {
            CopyFile(file, Path.Combine(target, Path.GetFileName(file)));
        }

        foreach (var folder in Directory.GetDirectories(source))
        {
            CopyFolder(folder, Path.Combine(target, Path.GetFileName(folder)));
        }
    }

    /// <summary>rwxr-xr-x, whatever the umask.</summary>
    private static string CreateFolder(string path)
    {
        Directory.CreateDirectory(path);
        SetMode(path, UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        return path;
    }

    /// <summary>A copy with mode rw-r--r--, whatever the source's.</summary>
    private static void CopyFile(string source, string target)
    {
        File.Copy(source, target);
        SetMode(target, UnixFileMode.None);
    }

    private static void SetMode(string path, UnixFileMode execute)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead | execute);
        }
    }
}
