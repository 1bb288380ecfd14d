using MoeTune.Engine.Selection;
using MoeTune.Tuning;
using MoeTune.TuningDb;

namespace MoeTune.Engine.Autotuning;

/// <summary>An autotune's outcome: the plan chosen and stored, and what became of every candidate.</summary>
/// <param name="Choice">The plan rules' answer (plan, cost, runner-up, margin).</param>
/// <param name="Decision">The decision as stored.</param>
/// <param name="Measurements">One per supported candidate, fresh or reused from the store.</param>
/// <param name="Statuses">Every registered backend's status, in registration order.</param>
/// <param name="Reused">Backends whose stored measurement was reused instead of measuring again.</param>
public sealed record TuneResult(
    PlanChoice Choice,
    TuningDecision Decision,
    IReadOnlyList<CandidateMeasurement> Measurements,
    IReadOnlyList<CandidateStatus> Statuses,
    IReadOnlyList<string> Reused);
