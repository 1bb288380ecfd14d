using MoeTune.Abstractions.Backends;

namespace MoeTune.TuningDb;

/// <summary>
/// What makes a backend's measurements valid (DESIGN.md's plugin key): a change of <see cref="Version"/> or
/// <see cref="KernelSourceHash"/> invalidates that backend's measurements, and no other's.
/// </summary>
public sealed record PluginKey(string Backend, string Version, string KernelSourceHash)
{
    public static PluginKey Of(IMoeBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        return new PluginKey(backend.Name, backend.Version, backend.KernelSourceHash);
    }

    public override string ToString() => $"{Backend} {Version} ({KernelSourceHash})";
}
