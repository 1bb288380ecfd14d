using System.Globalization;

namespace MoeTune.Tuning;

/// <summary>
/// How one timing is taken, in three stages as BenchmarkDotNet does: a pilot that picks how many repetitions one
/// sample spans, a warm-up that runs until times are steady, and the actual stage that runs until the median is
/// known precisely enough (nvbench's idea: stop on a statistic, not after a fixed count) or a limit is reached.
/// The options live here; the stop rules, pure functions over samples, in the other part of this record.
/// Times are microseconds per call unless a name says otherwise.
/// </summary>
public sealed partial record MeasurementPolicy
{
    /// <summary>
    /// The shortest sample the pilot accepts. CUDA events resolve about 0.5 µs, and a replayed graph has a few µs of
    /// fixed cost; 200 µs keeps both under a quarter of a percent while a slow candidate still needs only one call.
    /// </summary>
    public double TargetSampleMicroseconds { get; init; } = 200;

    /// <summary>The most calls one sample may span, whatever the pilot asks for.</summary>
    public int MaxRepetitions { get; init; } = 4096;

    /// <summary>Samples compared at a time by the warm-up rule: the last window against the one before it.</summary>
    public int WarmupWindow { get; init; } = 5;

    /// <summary>The warm-up is over when the last window's median is within this fraction of the previous window's.</summary>
    public double WarmupTolerance { get; init; } = 0.02;

    /// <summary>The share of a measurement's budget the warm-up may use before the actual stage starts anyway (flagged not steady).</summary>
    public double MaxWarmupBudgetShare { get; init; } = 0.5;

    /// <summary>The actual stage takes at least this many samples, unless the budget ends it (see <see cref="MinSamplesBeforeBudgetCut"/>).</summary>
    public int MinSamples { get; init; } = 10;

    /// <summary>The most samples in a stage (warm-up or actual).</summary>
    public int MaxSamples { get; init; } = 200;

    /// <summary>The actual stage runs at least this long, so that a fast, steady kernel is still sampled over many GPU clock states.</summary>
    public TimeSpan MinStageTime { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>The longest a stage (warm-up or actual) may run.</summary>
    public TimeSpan MaxStageTime { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The actual stage stops once the median's relative standard error (<see cref="SampleStatistics.RelativeMedianError"/>) is at most this.</summary>
    public double TargetRelativeError { get; init; } = 0.01;

    /// <summary>A spent budget stops the actual stage only once it holds this many samples: fewer say nothing about noise.</summary>
    public int MinSamplesBeforeBudgetCut { get; init; } = 3;

    /// <summary>Wall time one candidate may spend on all its measurements (every token bucket), pilot and warm-up included.</summary>
    public TimeSpan CandidateBudget { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The defaults above.</summary>
    public static MeasurementPolicy Default { get; } = new();

    /// <summary>An equal share of <see cref="CandidateBudget"/> for each of a candidate's <paramref name="measurements"/> (one per token bucket).</summary>
    public TimeSpan BudgetPerMeasurement(int measurements) => measurements > 0
        ? CandidateBudget / measurements
        : throw new ArgumentOutOfRangeException(nameof(measurements), measurements, "a candidate takes at least one measurement");

    /// <summary>Throws naming the first option that is out of range.</summary>
    public void Validate()
    {
        var error = FirstError();
        if (error is not null)
        {
            throw new ArgumentException($"invalid measurement policy: {error}");
        }
    }

    private string? FirstError()
    {
        var c = CultureInfo.InvariantCulture;
        if (!(TargetSampleMicroseconds > 0) || !double.IsFinite(TargetSampleMicroseconds)) return string.Create(c, $"TargetSampleMicroseconds must be positive, got {TargetSampleMicroseconds}");
        if (MaxRepetitions < 1) return string.Create(c, $"MaxRepetitions must be at least 1, got {MaxRepetitions}");
        if (WarmupWindow < 1) return string.Create(c, $"WarmupWindow must be at least 1, got {WarmupWindow}");
        if (!(WarmupTolerance >= 0)) return string.Create(c, $"WarmupTolerance must not be negative, got {WarmupTolerance}");
        if (!(MaxWarmupBudgetShare is > 0 and < 1)) return string.Create(c, $"MaxWarmupBudgetShare must be in (0, 1), got {MaxWarmupBudgetShare}");
        if (MinSamples < 1) return string.Create(c, $"MinSamples must be at least 1, got {MinSamples}");
        if (MaxSamples < MinSamples) return string.Create(c, $"MaxSamples ({MaxSamples}) must be at least MinSamples ({MinSamples})");
        if (MaxSamples < 2 * WarmupWindow) return string.Create(c, $"MaxSamples ({MaxSamples}) must hold two warm-up windows ({2 * WarmupWindow})");
        if (MinStageTime < TimeSpan.Zero || MaxStageTime < MinStageTime) return $"stage times must satisfy 0 <= MinStageTime ({MinStageTime}) <= MaxStageTime ({MaxStageTime})";
        if (!(TargetRelativeError > 0)) return string.Create(c, $"TargetRelativeError must be positive, got {TargetRelativeError}");
        if (MinSamplesBeforeBudgetCut < 1 || MinSamplesBeforeBudgetCut > MinSamples) return string.Create(c, $"MinSamplesBeforeBudgetCut must be in [1, MinSamples={MinSamples}], got {MinSamplesBeforeBudgetCut}");
        if (CandidateBudget <= TimeSpan.Zero) return $"CandidateBudget must be positive, got {CandidateBudget}";
        return null;
    }
}
