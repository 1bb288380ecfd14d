namespace MoeTune.Tuning;

/// <summary>Why the actual stage stopped (or <see cref="None"/>: it goes on).</summary>
public enum StopReason
{
    /// <summary>Not stopped: more samples are needed.</summary>
    None,

    /// <summary>Enough samples, enough time, and the median known within the target error.</summary>
    Converged,

    /// <summary>The stage holds <see cref="MeasurementPolicy.MaxSamples"/> samples; the median may be less precise than the target.</summary>
    MaxSamples,

    /// <summary>The stage ran for <see cref="MeasurementPolicy.MaxStageTime"/>.</summary>
    StageTimeLimit,

    /// <summary>The measurement's share of the candidate's budget is spent.</summary>
    BudgetSpent,
}

/// <summary>The stop rule's answer, with a sentence that says why (for the stage log and the tuner's progress line).</summary>
public sealed record StopDecision(StopReason Reason, string Explanation)
{
    public bool ShouldStop => Reason != StopReason.None;

    /// <summary>True where the measurement reached its precision target rather than a limit.</summary>
    public bool IsConverged => Reason == StopReason.Converged;

    public override string ToString() => Explanation;
}
