using System.Diagnostics;
using System.Globalization;

namespace MoeTune.Tuning;

/// <summary>
/// Drives the pilot, warm-up and actual stages of <see cref="MeasurementPolicy"/> over a sampler. The sampler runs
/// the candidate a given number of times and returns the elapsed microseconds for all of them; the engine supplies
/// one backed by CUDA events (or a stopwatch for CPU backends). The runner's own clock measures the wall time the
/// stages and the budget count, sampler overheads included.
/// </summary>
public sealed class MeasurementRunner
{
    private readonly MeasurementPolicy _policy;
    private readonly TimeProvider _clock;

    public MeasurementRunner(MeasurementPolicy policy, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        policy.Validate();
        _policy = policy;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>Measures one candidate at one token count within <paramref name="budget"/> of wall time.</summary>
    /// <param name="sampler">Runs the candidate <c>repetitions</c> times; returns their total time in µs.</param>
    /// <param name="budget">This measurement's share of the candidate's budget (<see cref="MeasurementPolicy.BudgetPerMeasurement"/>).</param>
    public Measurement Run(Func<int, double> sampler, TimeSpan budget)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        var start = _clock.GetTimestamp();
        var run = new StageRun(sampler, _clock, start, budget);
        var stages = new List<StageRecord>(3);

        var repetitions = RunPilot(run, stages);
        var steady = RunWarmup(run, repetitions, stages);
        var (samples, stop) = RunActual(run, repetitions, stages);
        return new Measurement(repetitions, samples, SampleStatistics.Of(samples), stages, stop, steady, _clock.GetElapsedTime(start));
    }

    private int RunPilot(StageRun run, List<StageRecord> stages)
    {
        var stageStart = _clock.GetTimestamp();
        var samples = new List<PilotSample>();
        var decision = _policy.Pilot(samples);
        while (!decision.IsSettled)
        {
            if (samples.Count > 0 && run.BudgetLeft <= TimeSpan.Zero)
            {
                decision = PilotDecision.Settle(samples[^1].Repetitions, $"budget spent during the pilot; keeping {samples[^1].Repetitions} call(s)");
                break;
            }

            samples.Add(new PilotSample(decision.Repetitions, run.Sample(decision.Repetitions)));
            decision = _policy.Pilot(samples);
        }

        stages.Add(new StageRecord(MeasurementStage.Pilot, samples.Count, decision.Repetitions, _clock.GetElapsedTime(stageStart), decision.Reason));
        return decision.Repetitions;
    }

    private bool RunWarmup(StageRun run, int repetitions, List<StageRecord> stages)
    {
        var stageStart = _clock.GetTimestamp();
        var warmupBudget = run.Budget * _policy.MaxWarmupBudgetShare;
        var samples = new List<double>();
        string? notSteady = null;
        while (!_policy.IsWarm(samples))
        {
            notSteady = samples.Count >= _policy.MaxSamples ? $"not steady after {samples.Count} samples"
                : _clock.GetElapsedTime(stageStart) >= _policy.MaxStageTime ? $"not steady after the stage limit of {_policy.MaxStageTime.TotalSeconds:0.###} s"
                : run.Elapsed >= warmupBudget ? $"not steady when the warm-up's share of the budget ({warmupBudget.TotalMilliseconds:0} ms) was spent"
                : null;
            if (notSteady is not null)
            {
                break;
            }

            samples.Add(run.Sample(repetitions) / repetitions);
        }

        var outcome = notSteady ?? string.Create(
            CultureInfo.InvariantCulture,
            $"steady after {samples.Count} samples (window medians within {Percent.Of(_policy.WarmupTolerance)})");
        stages.Add(new StageRecord(MeasurementStage.Warmup, samples.Count, repetitions, _clock.GetElapsedTime(stageStart), outcome));
        return notSteady is null;
    }

    private (List<double> Samples, StopDecision Stop) RunActual(StageRun run, int repetitions, List<StageRecord> stages)
    {
        var stageStart = _clock.GetTimestamp();
        var samples = new List<double>();
        var stop = _policy.ShouldStop(samples, TimeSpan.Zero, run.BudgetLeft);
        while (!stop.ShouldStop)
        {
            samples.Add(run.Sample(repetitions) / repetitions);
            stop = _policy.ShouldStop(samples, _clock.GetElapsedTime(stageStart), run.BudgetLeft);
        }

        stages.Add(new StageRecord(MeasurementStage.Actual, samples.Count, repetitions, _clock.GetElapsedTime(stageStart), stop.Explanation));
        return (samples, stop);
    }

    /// <summary>The state every stage shares: the sampler, checked on each call, and the budget's clock.</summary>
    private sealed class StageRun(Func<int, double> sampler, TimeProvider clock, long start, TimeSpan budget)
    {
        public TimeSpan Budget => budget;

        public TimeSpan Elapsed => clock.GetElapsedTime(start);

        public TimeSpan BudgetLeft => budget - Elapsed;

        public double Sample(int repetitions)
        {
            Debug.Assert(repetitions >= 1, "the pilot never asks for fewer than one call");
            var elapsed = sampler(repetitions);
            return double.IsFinite(elapsed) && elapsed >= 0
                ? elapsed
                : throw new InvalidOperationException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"the sampler returned {elapsed} µs for {repetitions} call(s); a timing must be finite and not negative"));
        }
    }
}
