namespace MoeTune.Engine.Autotuning;

/// <summary>
/// One step of an autotune, for a progress display: which candidate (of how many), what it is doing, and how many of
/// its steps (the gate, then one per token bucket) are done.
/// </summary>
/// <param name="Backend">The candidate.</param>
/// <param name="CandidateIndex">Its position, from 0.</param>
/// <param name="CandidateCount">How many candidates this tune considers.</param>
/// <param name="Activity">What it is doing now, for example "correctness gate" or "64 tokens".</param>
/// <param name="StepsDone">Steps finished for this candidate.</param>
/// <param name="StepCount">Steps this candidate takes (0 where it was skipped).</param>
public sealed record TuningProgress(string Backend, int CandidateIndex, int CandidateCount, string Activity, int StepsDone, int StepCount)
{
    public bool IsCandidateDone => StepsDone >= StepCount;
}
