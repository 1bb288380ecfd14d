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
            AddChildren(applicationPlugins, ApplicationOrigin, folders, failures);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var listed in ListedRoots(environment))
        {
            if (AbsoluteFolder(listed) is not { } root)
            {
                failures.Add(new PluginLoadFailure(listed, $"listed in {EnvironmentVariables.Plugins} but is not a folder"));
                continue;
            }

            if (!seen.Add(root))
            {
                continue;
            }

            var single = new PluginFolder(root, EnvironmentVariables.Plugins);
            if (File.Exists(single.AssemblyPath))
            {
                folders.Add(single);
            }
            else
            {
                AddChildren(root, EnvironmentVariables.Plugins, folders, failures);
            }
        }

        return (folders, failures);
    }

    /// <summary>The non-empty entries MOETUNE_PLUGINS lists, as written (trimmed); two spellings of one folder load it once.</summary>
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
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The entry as an absolute folder path, or null where it is no folder (or no path at all: a NUL, say).</summary>
    private static string? AbsoluteFolder(string entry)
    {
        try
        {
            var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(entry));
            return Directory.Exists(full) ? full : null;
        }
        catch (Exception e) when (e is ArgumentException or IOException or NotSupportedException or System.Security.SecurityException)
        {
            return null;
        }
    }

    /// <summary>Each subfolder of <paramref name="root"/> as a plugin folder; a root that cannot be listed is a failure.</summary>
    private static void AddChildren(string root, string origin, List<PluginFolder> folders, List<PluginLoadFailure> failures)
    {
        try
        {
            folders.AddRange(Directory.EnumerateDirectories(root)
                .Order(StringComparer.Ordinal)
                .Select(d => new PluginFolder(Path.GetFullPath(d), origin))
                .ToList());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            failures.Add(new PluginLoadFailure(root, $"{(origin == ApplicationOrigin ? "the application's plugin folder" : $"listed in {origin} but")} cannot be listed: {e.Message}"));
        }
    }
}
