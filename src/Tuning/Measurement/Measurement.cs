namespace MoeTune.Tuning;

/// <summary>The stages of one measurement, in order.</summary>
public enum MeasurementStage
{
    /// <summary>Finds how many calls one sample spans.</summary>
    Pilot,

    /// <summary>Runs until times are steady; its samples are discarded.</summary>
    Warmup,

    /// <summary>The samples that count.</summary>
    Actual,
}

/// <summary>What one stage did: its samples, the repetitions per sample, its wall time and how it ended.</summary>
public sealed record StageRecord(MeasurementStage Stage, int Samples, int Repetitions, TimeSpan Elapsed, string Outcome);

/// <summary>
/// The result of one measurement (one candidate at one token count): the actual stage's samples as microseconds per
/// call, their statistics, the stage log and why it stopped.
/// </summary>
public sealed record Measurement(
    int Repetitions,
    IReadOnlyList<double> SamplesMicroseconds,
    SampleStatistics Statistics,
    IReadOnlyList<StageRecord> Stages,
    StopDecision Stop,
    bool ReachedSteadyState,
    TimeSpan Elapsed)
{
    /// <summary>The median time per call, the figure candidates are compared on.</summary>
    public double MedianMicroseconds => Statistics.Median;
}
