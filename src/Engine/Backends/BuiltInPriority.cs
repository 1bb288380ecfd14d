using MoeTune.Engine.Backends.Reference;

namespace MoeTune.Engine.Backends;

/// <summary>
/// The order candidates are listed and tried in, and the one that decides where tuning is switched off
/// (DESIGN.md "Choosing a backend", step 5). It is a hand-kept list like the engines' own, the thing MoeTune measures
/// its way around: the specialised kernels first, the general ones after, third-party plugins by name, the Reference
/// oracle last.
/// </summary>
public static class BuiltInPriority
{
    public static IReadOnlyList<string> Order { get; } =
        ["TrtLlm", "FlashInferCutlass", "CuteDsl", "VllmCutlass", "Marlin"];

    /// <summary><paramref name="backends"/> sorted into the priority order.</summary>
    public static IReadOnlyList<RegisteredBackend> Sort(IEnumerable<RegisteredBackend> backends) =>
        backends
            .OrderBy(Rank)
            .ThenBy(b => b.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();

    private static int Rank(RegisteredBackend backend)
    {
        if (backend.Name == ReferenceBackend.BackendName)
        {
            return int.MaxValue;
        }

        var index = Order.ToList().FindIndex(n => string.Equals(n, backend.Name, StringComparison.OrdinalIgnoreCase));
        return index >= 0 ? index : Order.Count;
    }
}
