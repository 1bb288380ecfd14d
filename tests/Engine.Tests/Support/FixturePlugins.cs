namespace MoeTune.Engine.Tests.Support;

/// <summary>
/// The plugin fixtures (tests/fixtures), built with this test project and placed under <c>fixtures/plugins/&lt;Name&gt;/</c>
/// in its output: the third-party plugin, and the fault plugin that fails as a <c>fault.txt</c> in its folder says.
/// Tests copy them into their own folders before changing or using them.
/// </summary>
internal static class FixturePlugins
{
    public const string Name = "ThirdPartyPlugin";

    public const string BackendName = "NaiveCpu";

    public const string FaultName = "FaultPlugin";

    /// <summary>The fault plugin's one backend.</summary>
    public const string FaultyBackendName = "Faulty";

    public static string BuiltFolder { get; } = BuiltFolderOf(Name);

    /// <summary>
    /// Copies the third-party fixture to <c>&lt;root&gt;/&lt;name&gt;/</c> (its DLL renamed to match) and returns that
    /// folder. The copy is writable by its owner only, whatever the umask the build ran under, since the host refuses
    /// anything else.
    /// </summary>
    public static string CopyTo(string root, string name = Name) => Copy(Name, root, name);

    /// <summary>
    /// Copies the fault plugin to <c>&lt;root&gt;/FaultPlugin/</c> with a fault.txt naming <paramref name="fault"/>
    /// (check-support, prepare, forward, spin, wrong or crash) and returns that folder.
    /// </summary>
    public static string CopyFault(string root, string fault)
    {
        var folder = Copy(FaultName, root, FaultName);
        var file = Path.Combine(folder, "fault.txt");
        File.WriteAllText(file, fault);
        OwnerWritableOnly(file, UnixFileMode.None);
        return folder;
    }

    private static string BuiltFolderOf(string fixture) => Path.Combine(AppContext.BaseDirectory, "fixtures", "plugins", fixture);

    private static string Copy(string fixture, string root, string name)
    {
        var built = BuiltFolderOf(fixture);
        if (!File.Exists(Path.Combine(built, fixture + ".dll")))
        {
            throw new InvalidOperationException($"the fixture plugin was not built into {built}; build tests/Engine.Tests");
        }

        var target = Path.Combine(root, name);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(built))
        {
            var fileName = Path.GetFileName(file);
            var targetName = fileName.StartsWith(fixture + ".", StringComparison.Ordinal) ? name + fileName[fixture.Length..] : fileName;
            var copy = Path.Combine(target, targetName);
            File.Copy(file, copy);
            OwnerWritableOnly(copy, UnixFileMode.None);
        }

        OwnerWritableOnly(target, UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        return target;
    }

    /// <summary>rw-r--r-- (plus <paramref name="extra"/>, the execute bits of a folder).</summary>
    private static void OwnerWritableOnly(string path, UnixFileMode extra)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead | extra);
        }
    }
}
