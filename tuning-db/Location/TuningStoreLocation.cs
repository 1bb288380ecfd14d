namespace MoeTune.TuningDb;

/// <summary>
/// Where the tuning database lives and why there: the one place that decides it. <c>MOETUNE_DB</c> (a file, or a
/// folder to hold tuning.db) wins; otherwise the user's cache folder: <c>$XDG_CACHE_HOME/moetune/tuning.db</c> or
/// <c>~/.cache/moetune/tuning.db</c> on Linux, the local application data folder elsewhere. Tuning results are a
/// cache: deleting them costs a re-tune, nothing else.
/// </summary>
/// <param name="Path">The full path of the database file.</param>
/// <param name="Source">Why this path, for the log ("MOETUNE_DB", "XDG_CACHE_HOME", …).</param>
public sealed record TuningStoreLocation(string Path, string Source)
{
    public const string EnvironmentVariable = "MOETUNE_DB";

    public const string FileName = "tuning.db";

    private const string Folder = "moetune";

    /// <summary>Resolves from this process's environment.</summary>
    public static TuningStoreLocation Resolve() => Resolve(Environment.GetEnvironmentVariable);

    /// <summary>Resolves from <paramref name="environment"/> (a variable's value, or null where unset).</summary>
    public static TuningStoreLocation Resolve(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var forced = environment(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(forced))
        {
            var full = FullPath(forced, EnvironmentVariable);
            return Directory.Exists(full) || forced.EndsWith(System.IO.Path.DirectorySeparatorChar) || forced.EndsWith(System.IO.Path.AltDirectorySeparatorChar)
                ? new TuningStoreLocation(System.IO.Path.Combine(full, FileName), $"{EnvironmentVariable} (a folder)")
                : new TuningStoreLocation(full, EnvironmentVariable);
        }

        if (OperatingSystem.IsLinux() || OperatingSystem.IsFreeBSD())
        {
            // XDG: a relative XDG_CACHE_HOME is invalid and must be ignored.
            var xdg = environment("XDG_CACHE_HOME");
            if (!string.IsNullOrWhiteSpace(xdg) && System.IO.Path.IsPathFullyQualified(xdg))
            {
                return new TuningStoreLocation(System.IO.Path.Combine(xdg, Folder, FileName), "XDG_CACHE_HOME");
            }

            var home = environment("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return new TuningStoreLocation(System.IO.Path.Combine(home, ".cache", Folder, FileName), "~/.cache (XDG default)");
        }

        return new TuningStoreLocation(
            System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), Folder, FileName),
            "the local application data folder");
    }

    public override string ToString() => $"{Path} (from {Source})";

    /// <summary><paramref name="path"/> made absolute; a value that is no path at all (a NUL in it) is an error naming <paramref name="source"/>.</summary>
    /// <exception cref="TuningStoreException">The value is not a path.</exception>
    internal static string FullPath(string path, string source)
    {
        try
        {
            return System.IO.Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new TuningStoreException($"{source} is not a usable path ('{path}'): {e.Message}. Set {EnvironmentVariable} to a writable file.", e);
        }
    }
}
