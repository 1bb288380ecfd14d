using MoeTune.Abstractions.Problems;
using MoeTune.TuningDb;

namespace MoeTune.Engine.Selection;

/// <summary>Everything the precedence rule looks at; nothing else (no clock, no process environment, no store).</summary>
/// <param name="CommandLineBackend"><c>--backend</c> or the library option; null or "auto" for none.</param>
/// <param name="Environment">The MOETUNE_* variables.</param>
/// <param name="Format">The problem's weight format, which picks <c>MOETUNE_BACKEND_&lt;FORMAT&gt;</c>.</param>
/// <param name="Stored">The stored decision for this GPU class, problem and objective, if any, as the store judged it (stale, invalid).</param>
/// <param name="TuningEnabled">Whether a missing decision may be tuned now.</param>
/// <param name="Candidates">Every registered backend, in the built-in priority order.</param>
public sealed record SelectionInputs(
    string? CommandLineBackend,
    EnvironmentSnapshot Environment,
    WeightFormat Format,
    StoredDecision? Stored,
    bool TuningEnabled,
    IReadOnlyList<SelectionCandidate> Candidates);
