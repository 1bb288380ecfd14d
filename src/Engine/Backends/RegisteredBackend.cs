using MoeTune.Abstractions.Backends;

namespace MoeTune.Engine.Backends;

/// <summary>A backend and where it came from ("built-in", or the plugin folder that registered it).</summary>
public sealed record RegisteredBackend(IMoeBackend Backend, string Source)
{
    public string Name => Backend.Name;

    /// <summary>The name and every alias.</summary>
    public IEnumerable<string> AllNames => [Backend.Name, .. Backend.Aliases];
}
