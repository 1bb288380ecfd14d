using System.Globalization;

namespace MoeTune.Tuning;

/// <summary>The stop rules: pure functions of the samples so far, testable without a GPU.</summary>
public sealed partial record MeasurementPolicy
{
    /// <summary>
    /// Headroom over <see cref="TargetSampleMicroseconds"/> when the pilot extrapolates, so that ordinary noise does
    /// not leave the next sample just short of the target and cost another round.
    /// </summary>
    private const double PilotHeadroom = 1.2;

    /// <summary>Growth of the repetition count when a sample was too short to time at all.</summary>
    private const int UntimeableGrowth = 10;

    /// <summary>
    /// How many calls one sample should span so that it lasts at least <see cref="TargetSampleMicroseconds"/>. The first
    /// sample is never trusted: it pays one-time costs (module load, graph instantiation, cold caches) and would make a
    /// fast kernel look slow. Afterwards each step extrapolates from the last sample's time per call, at least doubling,
    /// so the pilot ends within about log2(<see cref="MaxRepetitions"/>) samples.
    /// </summary>
    public PilotDecision Pilot(IReadOnlyList<PilotSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            return PilotDecision.TryWith(1, "first call");
        }

        var last = samples[^1];
        if (samples.Count == 1)
        {
            return PilotDecision.TryWith(last.Repetitions, "first sample discarded: it pays one-time costs");
        }

        var c = CultureInfo.InvariantCulture;
        if (last.ElapsedMicroseconds >= TargetSampleMicroseconds)
        {
            return PilotDecision.Settle(
                last.Repetitions,
                string.Create(c, $"{last.Repetitions} call(s) take {last.ElapsedMicroseconds:0.#} µs >= {TargetSampleMicroseconds:0.#} µs"));
        }

        if (last.Repetitions >= MaxRepetitions)
        {
            return PilotDecision.Settle(
                MaxRepetitions,
                string.Create(c, $"capped at {MaxRepetitions} calls ({last.ElapsedMicroseconds:0.#} µs per sample, below the {TargetSampleMicroseconds:0.#} µs target)"));
        }

        var perCall = last.ElapsedMicroseconds / last.Repetitions;
        var wanted = perCall > 0
            ? Math.Ceiling(TargetSampleMicroseconds * PilotHeadroom / perCall)
            : (double)last.Repetitions * UntimeableGrowth;
        var next = (int)Math.Min(MaxRepetitions, Math.Max(wanted, 2.0 * last.Repetitions));
        return PilotDecision.TryWith(next, string.Create(c, $"{perCall:0.###} µs per call; trying {next} calls"));
    }

    /// <summary>
    /// Steady state: the median of the last <see cref="WarmupWindow"/> samples is within <see cref="WarmupTolerance"/>
    /// of the median of the window before it. Medians, so that a single outlier neither ends nor prolongs the warm-up.
    /// </summary>
    public bool IsWarm(IReadOnlyList<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count < 2 * WarmupWindow)
        {
            return false;
        }

        var latest = SampleStatistics.MedianOf(samples.Skip(samples.Count - WarmupWindow));
        var previous = SampleStatistics.MedianOf(samples.Skip(samples.Count - (2 * WarmupWindow)).Take(WarmupWindow));
        return Math.Abs(latest - previous) <= WarmupTolerance * previous;
    }

    /// <summary>
    /// Whether the actual stage can stop, and why. In order: a spent budget (once
    /// <see cref="MinSamplesBeforeBudgetCut"/> samples exist), the sample cap, the stage's time cap; otherwise it
    /// converges once it holds <see cref="MinSamples"/>, has run <see cref="MinStageTime"/> and knows its median within
    /// <see cref="TargetRelativeError"/>.
    /// </summary>
    /// <param name="samples">Time per call of each sample of this stage.</param>
    /// <param name="stageElapsed">Wall time spent in this stage.</param>
    /// <param name="budgetLeft">What is left of the measurement's budget (zero or negative: spent).</param>
    public StopDecision ShouldStop(IReadOnlyList<double> samples, TimeSpan stageElapsed, TimeSpan budgetLeft)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var c = CultureInfo.InvariantCulture;
        var n = samples.Count;
        if (budgetLeft <= TimeSpan.Zero && n >= MinSamplesBeforeBudgetCut)
        {
            return new StopDecision(StopReason.BudgetSpent, string.Create(c, $"budget spent after {n} samples{Precision(samples)}"));
        }

        if (n >= MaxSamples)
        {
            return new StopDecision(StopReason.MaxSamples, string.Create(c, $"reached {MaxSamples} samples{Precision(samples)}"));
        }

        if (stageElapsed >= MaxStageTime)
        {
            return new StopDecision(StopReason.StageTimeLimit, string.Create(c, $"stage ran {stageElapsed.TotalSeconds:0.###} s, the limit, with {n} samples{Precision(samples)}"));
        }

        if (n < MinSamples)
        {
            return new StopDecision(StopReason.None, string.Create(c, $"{n} of at least {MinSamples} samples"));
        }

        if (stageElapsed < MinStageTime)
        {
            return new StopDecision(StopReason.None, string.Create(c, $"stage ran {stageElapsed.TotalMilliseconds:0.#} ms of at least {MinStageTime.TotalMilliseconds:0.#} ms"));
        }

        var error = SampleStatistics.Of(samples).RelativeMedianError;
        return error <= TargetRelativeError
            ? new StopDecision(StopReason.Converged, string.Create(c, $"median known within ±{Percent.Of(error, 2)} (target ±{Percent.Of(TargetRelativeError, 2)}) after {n} samples"))
            : new StopDecision(StopReason.None, string.Create(c, $"median known within ±{Percent.Of(error, 2)}, target ±{Percent.Of(TargetRelativeError, 2)}"));
    }

    private static string Precision(IReadOnlyList<double> samples) => samples.Count == 0
        ? ""
        : string.Create(CultureInfo.InvariantCulture, $"; median known within ±{Percent.Of(SampleStatistics.Of(samples).RelativeMedianError, 2)}");
}
