namespace MoeTune.Engine.Plugins;

/// <summary>
/// Refuses plugin folders that other users could change (issue 8, trust): code loaded into the host runs with the
/// user's rights, so a folder or file in it with the group or other write bit set is a way in for someone else.
/// Windows has no such bits; there the check passes and the folder's ACLs are the operator's business.
/// </summary>
public static class PluginFolderTrust
{
    private const UnixFileMode WritableByOthers = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    /// <summary>Null where the folder may be loaded, else why not.</summary>
    public static string? Check(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        var entries = new[] { directory }.Concat(Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories));
        foreach (var entry in entries)
        {
            var mode = File.GetUnixFileMode(entry);
            if ((mode & WritableByOthers) != 0)
            {
                return $"refused: '{entry}' is writable by other users (mode {Octal(mode)}); "
                    + $"run 'chmod -R go-w \"{directory}\"' if you trust its contents";
            }
        }

        return null;
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0x1FF, 8).PadLeft(3, '0');
}
