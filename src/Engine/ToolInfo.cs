using System.Reflection;

namespace MoeTune.Engine;

/// <summary>MoeTune's own version, recorded in measurements and decisions as their provenance.</summary>
public static class ToolInfo
{
    public static string Version { get; } =
        typeof(ToolInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0]
        ?? typeof(ToolInfo).Assembly.GetName().Version?.ToString()
        ?? "unknown";
}
