namespace MoeTune.Engine.Plugins;

/// <summary>One folder that should hold a plugin: <c>&lt;Name&gt;/&lt;Name&gt;.dll</c>.</summary>
/// <param name="Directory">The plugin's folder (absolute).</param>
/// <param name="Origin">Where the folder was found, for messages: "application" or "MOETUNE_PLUGINS".</param>
public sealed record PluginFolder(string Directory, string Origin)
{
    /// <summary>The folder's name, which is also the plugin's name.</summary>
    public string Name => Path.GetFileName(Path.TrimEndingDirectorySeparator(Directory));

    /// <summary>The main assembly: <c>&lt;Name&gt;.dll</c> inside the folder.</summary>
    public string AssemblyPath => Path.Combine(Directory, Name + ".dll");

    public override string ToString() => $"{Directory} ({Origin})";
}

/// <summary>A plugin folder that was skipped, and why.</summary>
/// <param name="Location">The folder (or listed path) concerned.</param>
/// <param name="Reason">What is wrong with it, in words a user can act on.</param>
public sealed record PluginLoadFailure(string Location, string Reason)
{
    public override string ToString() => $"{Location}: {Reason}";
}
