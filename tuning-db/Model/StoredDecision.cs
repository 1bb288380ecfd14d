namespace MoeTune.TuningDb;

/// <summary>
/// A decision as read back for the current GPU and plugins. Stale: the driver changed since it was made (usable, with a
/// warning, until re-tuned). Invalid: a backend of its plan is gone or changed version or kernels (its timings no
/// longer describe what would run; it can still serve as the incumbent a re-tune must beat).
/// </summary>
public sealed record StoredDecision(TuningDecision Decision, string? StaleReason, string? InvalidReason)
{
    public bool IsStale => StaleReason is not null;

    public bool IsValid => InvalidReason is null;
}
