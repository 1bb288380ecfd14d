namespace MoeTune.Engine.Tests.Support;

/// <summary>
/// The third-party plugin fixture (tests/fixtures/ThirdPartyPlugin), built with this test project and placed under
/// <c>fixtures/plugins/ThirdPartyPlugin/</c> in its output. Tests copy it into their own folders before changing it.
/// </summary>
internal static class FixturePlugins
{
    public const string Name = "ThirdPartyPlugin";

    public const string BackendName = "NaiveCpu";

    public static string BuiltFolder { get; } = Path.Combine(AppContext.BaseDirectory, "fixtures", "plugins", Name);

    /// <summary>
    /// Copies the fixture to <c>&lt;root&gt;/&lt;name&gt;/</c> (its DLL renamed to match) and returns that folder. The copy
    /// is writable by its owner only, whatever the umask the build ran under, since the host refuses anything else.
    /// </summary>
    public static string CopyTo(string root, string name = Name)
    {
        if (!File.Exists(Path.Combine(BuiltFolder, Name + ".dll")))
        {
            throw new InvalidOperationException($"the fixture plugin was not built into {BuiltFolder}; build tests/Engine.Tests");
        }

        var target = Path.Combine(root, name);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(BuiltFolder))
        {
            var fileName = Path.GetFileName(file);
            var targetName = fileName.StartsWith(Name + ".", StringComparison.Ordinal) ? name + fileName[Name.Length..] : fileName;
            var copy = Path.Combine(target, targetName);
            File.Copy(file, copy);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        return target;
    }
}
