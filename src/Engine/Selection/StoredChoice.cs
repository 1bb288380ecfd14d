using MoeTune.Tuning;

namespace MoeTune.Engine.Selection;

/// <summary>
/// The stored decision for this GPU class and problem, as selection sees it: the plan, the identities of the backends
/// it was tuned with, and, where the GPU's driver changed since, a note saying so (a stale decision is still used, with
/// a warning; a decision whose backends changed version or kernels is not).
/// </summary>
public sealed record StoredChoice(Plan Plan, IReadOnlyList<BackendIdentity> TunedWith, string? DriverStaleness = null);
