using MoeTune.Engine.Selection;

namespace MoeTune.Engine.Autotuning;

/// <summary>No candidate could win an autotune; <see cref="Statuses"/> says what became of each.</summary>
public sealed class TuningFailedException : Exception
{
    public TuningFailedException()
        : this("tuning failed", [], correctnessFailure: false)
    {
    }

    public TuningFailedException(string message)
        : this(message, [], correctnessFailure: false)
    {
    }

    public TuningFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Statuses = [];
    }

    public TuningFailedException(string message, IReadOnlyList<CandidateStatus> statuses, bool correctnessFailure)
        : base(message)
    {
        Statuses = statuses;
        IsCorrectnessFailure = correctnessFailure;
    }

    public IReadOnlyList<CandidateStatus> Statuses { get; }

    /// <summary>True where every candidate that ran failed the correctness gate: wrong answers, not crashes.</summary>
    public bool IsCorrectnessFailure { get; }
}
