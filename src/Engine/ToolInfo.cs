using System.Reflection;

namespace MoeTune.Engine;

/// <summary>Versions as MoeTune records them: the informational version without its source-revision suffix.</summary>
public static class ToolInfo
{
    /// <summary>MoeTune's own version, recorded in measurements and decisions as their provenance.</summary>
    public static string Version { get; } = VersionOf(typeof(ToolInfo).Assembly);

    /// <summary>"1.2.0" for an assembly built as "1.2.0+3f2c…" (the commit is not a version: rebuilding must not re-tune).</summary>
    public static string VersionOf(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0]
            ?? assembly.GetName().Version?.ToString()
            ?? "unknown";
    }
}
