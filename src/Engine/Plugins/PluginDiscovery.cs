namespace MoeTune.Engine.Plugins;

/// <summary>
/// Finds plugin folders. Plugins load only from two places (issue 8, trust): the <c>plugins/</c> folder beside the
/// application, and each folder listed in MOETUNE_PLUGINS. A listed folder is either a plugin folder itself (it holds
/// <c>&lt;its name&gt;.dll</c>) or a folder of plugin folders, like the application's own.
/// </summary>
public static class PluginDiscovery
{
    public const string ApplicationOrigin = "application";

    /// <summary>The plugin folders to try, in load order (application first, then MOETUNE_PLUGINS in listed order), and the listed paths that could not be used.</summary>
    public static (IReadOnlyList<PluginFolder> Folders, IReadOnlyList<PluginLoadFailure> Failures) Find(string applicationDirectory, EnvironmentSnapshot environment)
    {
        ArgumentNullException.ThrowIfNull(applicationDirectory);
        ArgumentNullException.ThrowIfNull(environment);
        var folders = new List<PluginFolder>();
        var failures = new List<PluginLoadFailure>();

        // The application's own folder may have no plugins (a library host that ships none): that is not an error.
        var applicationPlugins = Path.Combine(applicationDirectory, "plugins");
        if (Directory.Exists(applicationPlugins))
        {
            folders.AddRange(Children(applicationPlugins, ApplicationOrigin));
        }

        foreach (var listed in ListedRoots(environment))
        {
            if (!Directory.Exists(listed))
            {
                failures.Add(new PluginLoadFailure(listed, $"listed in {EnvironmentVariables.Plugins} but is not a folder"));
                continue;
            }

            var single = new PluginFolder(listed, EnvironmentVariables.Plugins);
            if (File.Exists(single.AssemblyPath))
            {
                folders.Add(single);
            }
            else
            {
                folders.AddRange(Children(listed, EnvironmentVariables.Plugins));
            }
        }

        return (folders, failures);
    }

    /// <summary>The absolute, de-duplicated folders MOETUNE_PLUGINS lists (empty entries ignored).</summary>
    public static IReadOnlyList<string> ListedRoots(EnvironmentSnapshot environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var value = environment.Get(EnvironmentVariables.Plugins);
        if (value is null)
        {
            return [];
        }

        return value
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => Path.TrimEndingDirectorySeparator(Path.GetFullPath(p)))
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    private static IEnumerable<PluginFolder> Children(string root, string origin) =>
        Directory.EnumerateDirectories(root)
            .Order(StringComparer.Ordinal)
            .Select(d => new PluginFolder(Path.GetFullPath(d), origin));
}
