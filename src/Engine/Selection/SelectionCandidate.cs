using MoeTune.Abstractions.Backends;

namespace MoeTune.Engine.Selection;

/// <summary>What selection knows about one registered backend: its names, its identity and whether it can run the problem here.</summary>
public sealed record SelectionCandidate(string Name, IReadOnlyList<string> Aliases, BackendIdentity Identity, SupportDecision Support)
{
    public bool Answers(string name) =>
        string.Equals(Name, name, StringComparison.OrdinalIgnoreCase)
        || Aliases.Any(a => string.Equals(a, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>The parts of a backend that make its measurements valid: a change of version or kernel sources re-measures it.</summary>
public sealed record BackendIdentity(string Name, string Version, string KernelSourceHash)
{
    public static BackendIdentity Of(IMoeBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        return new BackendIdentity(backend.Name, backend.Version, backend.KernelSourceHash);
    }

    public override string ToString() => $"{Name} {Version} ({KernelSourceHash})";
}
