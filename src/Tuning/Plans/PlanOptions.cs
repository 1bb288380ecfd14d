namespace MoeTune.Tuning;

/// <summary>The knobs of <see cref="PlanChooser.ChoosePlan"/>.</summary>
public sealed record PlanOptions
{
    /// <summary>
    /// A challenger must be better than the incumbent by more than this fraction to replace it (and a hybrid better
    /// than the best single backend by more than it to be worth its extra weight copies), so that measurement noise
    /// does not make decisions flap between runs.
    /// </summary>
    public double TieMargin { get; init; } = 0.03;

    /// <summary>
    /// Whether per-bucket plans are considered. Off by default: each extra backend keeps a full copy of the expert
    /// weights, which for a large MoE model is most of its memory.
    /// </summary>
    public bool AllowHybrid { get; init; }

    /// <summary>For <see cref="TuningObjective.Memory"/>: how much slower than the fastest (latency cost) a leaner candidate may be.</summary>
    public double MemorySlowdownBound { get; init; } = 0.10;

    public static PlanOptions Default { get; } = new();

    public void Validate()
    {
        if (!(TieMargin is >= 0 and < 1))
        {
            throw new ArgumentException($"invalid plan options: TieMargin must be in [0, 1), got {TieMargin}");
        }

        if (!(MemorySlowdownBound >= 0) || !double.IsFinite(MemorySlowdownBound))
        {
            throw new ArgumentException($"invalid plan options: MemorySlowdownBound must be finite and not negative, got {MemorySlowdownBound}");
        }
    }
}
