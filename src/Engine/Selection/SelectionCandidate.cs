using MoeTune.Abstractions.Backends;
using MoeTune.TuningDb;

namespace MoeTune.Engine.Selection;

/// <summary>What selection knows about one registered backend: its names, its identity and whether it can run the problem here.</summary>
public sealed record SelectionCandidate(string Name, IReadOnlyList<string> Aliases, PluginKey Identity, SupportDecision Support)
{
    public static SelectionCandidate Of(IMoeBackend backend, SupportDecision support)
    {
        ArgumentNullException.ThrowIfNull(backend);
        return new SelectionCandidate(backend.Name, backend.Aliases, PluginKey.Of(backend), support);
    }

    public bool Answers(string name) =>
        string.Equals(Name, name, StringComparison.OrdinalIgnoreCase)
        || Aliases.Any(a => string.Equals(a, name, StringComparison.OrdinalIgnoreCase));
}
