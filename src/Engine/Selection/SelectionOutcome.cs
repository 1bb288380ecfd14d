using MoeTune.Tuning;

namespace MoeTune.Engine.Selection;

/// <summary>Why selection refused; each maps to its own exit code in the CLI.</summary>
public enum SelectionErrorKind
{
    /// <summary>A forced name matches no backend.</summary>
    UnknownBackend,

    /// <summary>A forced backend exists but cannot run this problem on this device.</summary>
    Unsupported,

    /// <summary>Nothing was forced and no backend can run this problem on this device.</summary>
    NoSupportedBackend,
}

/// <summary>What the precedence rule decided. <see cref="Notes"/> carry the warnings to log (stale or ignored decisions).</summary>
public abstract record SelectionOutcome(IReadOnlyList<string> Notes)
{
    /// <summary>A plan from a forced name, the store or the priority order.</summary>
    public sealed record Chosen(Plan Plan, SelectionSource Source, IReadOnlyList<string> Notes) : SelectionOutcome(Notes);

    /// <summary>No override and no valid stored decision: tune now, among the supported candidates, and store the result.</summary>
    public sealed record Tune(IReadOnlyList<string> Notes) : SelectionOutcome(Notes);

    /// <summary>An error to report, never a fallback.</summary>
    public sealed record Rejected(SelectionErrorKind Kind, string Message, IReadOnlyList<string> Notes) : SelectionOutcome(Notes);
}
