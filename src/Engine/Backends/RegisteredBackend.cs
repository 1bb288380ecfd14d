using MoeTune.Abstractions.Backends;

namespace MoeTune.Engine.Backends;

/// <summary>A backend and where it came from.</summary>
/// <param name="Backend">The backend.</param>
/// <param name="Source">Where from, in a few words: "built-in", "registered by the application", "plugin Marlin (application)".</param>
/// <param name="Folder">The plugin folder, for a plugin's backends.</param>
public sealed record RegisteredBackend(IMoeBackend Backend, string Source, string? Folder = null)
{
    public string Name => Backend.Name;

    /// <summary>The name and every alias.</summary>
    public IEnumerable<string> AllNames => [Backend.Name, .. Backend.Aliases];
}
