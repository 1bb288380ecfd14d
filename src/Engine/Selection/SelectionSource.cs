namespace MoeTune.Engine.Selection;

/// <summary>Where a choice came from, highest precedence first (DESIGN.md "Choosing a backend").</summary>
public enum SelectionSource
{
    /// <summary><c>--backend</c>, or <c>MoeTuneOptions.Backend</c> in the library.</summary>
    CommandLine,

    /// <summary><c>MOETUNE_BACKEND_&lt;FORMAT&gt;</c>.</summary>
    FormatEnvironment,

    /// <summary><c>MOETUNE_BACKEND</c>.</summary>
    Environment,

    /// <summary>The stored decision for this GPU class and problem.</summary>
    StoredDecision,

    /// <summary>A first-run autotune, whose result is stored.</summary>
    Autotune,

    /// <summary>The built-in priority order, where tuning is switched off.</summary>
    PriorityOrder,
}
