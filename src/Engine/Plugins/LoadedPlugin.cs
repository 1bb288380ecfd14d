using MoeTune.Abstractions.Backends;

namespace MoeTune.Engine.Plugins;

/// <summary>A plugin that loaded: its folder, its assembly version and the backends it registered.</summary>
public sealed record LoadedPlugin(PluginFolder Folder, string Version, IReadOnlyList<IMoeBackend> Backends)
{
    public string Name => Folder.Name;
}
