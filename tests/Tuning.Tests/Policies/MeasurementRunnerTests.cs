using MoeTune.Tuning;

namespace MoeTune.Tuning.Tests.Policies;

/// <summary>The stages driven over synthetic samplers whose time per call follows a known curve.</summary>
public sealed class MeasurementRunnerTests
{
    /// <summary>Host-side cost of one sample (synchronising, reading the events), which the budget counts and the timings do not.</summary>
    private const double OverheadMicroseconds = 20;

    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    [Fact]
    public void Steady_kernel_settles_the_pilot_warms_quickly_and_converges_on_its_time()
    {
        var m = Measure((_, calls) => 5.0 * calls);

        Assert.Equal(48, m.Repetitions); // ceil(200 µs * 1.2 headroom / 5 µs)
        Assert.True(m.ReachedSteadyState);
        Assert.Equal(StopReason.Converged, m.Stop.Reason);
        Assert.Equal(5.0, m.MedianMicroseconds, 9);
        Assert.Equal([MeasurementStage.Pilot, MeasurementStage.Warmup, MeasurementStage.Actual], m.Stages.Select(s => s.Stage));
        Assert.Equal(3, m.Stages[0].Samples);
        Assert.Equal(2 * MeasurementPolicy.Default.WarmupWindow, m.Stages[1].Samples);
        Assert.True(m.SamplesMicroseconds.Count >= MeasurementPolicy.Default.MinSamples);
    }

    [Fact]
    public void Noisy_kernel_takes_more_samples_and_still_finds_its_median()
    {
        var random = new Random(1234);
        var steady = Measure((_, calls) => 10.0 * calls);
        var noisy = Measure((_, calls) => 10.0 * calls * (1 + (0.3 * (random.NextDouble() - 0.5))));

        Assert.Equal(StopReason.Converged, noisy.Stop.Reason);
        Assert.True(noisy.SamplesMicroseconds.Count > steady.SamplesMicroseconds.Count);
        Assert.InRange(noisy.MedianMicroseconds, 9.8, 10.2);
        Assert.True(noisy.Statistics.RelativeMedianError <= MeasurementPolicy.Default.TargetRelativeError);
    }

    [Fact]
    public void Drifting_warmup_runs_until_steady_and_the_drift_stays_out_of_the_result()
    {
        // Clocks ramping up: the first calls take twice as long, the excess decaying over about 200 calls (a few windows).
        long done = 0;
        var m = Measure((_, calls) => Enumerable.Range(0, calls).Sum(_ => 10.0 * (1 + Math.Exp(-done++ / 200.0))));

        Assert.True(m.ReachedSteadyState);
        Assert.True(m.Stages[1].Samples > 2 * MeasurementPolicy.Default.WarmupWindow);
        Assert.InRange(m.MedianMicroseconds, 10.0, 10.3);
    }

    [Fact]
    public void Outlier_burst_in_the_actual_stage_leaves_the_median_alone()
    {
        // Samples 30 to 33 (in the actual stage) run four times slower, as when another process grabs the GPU.
        var m = Measure((sample, calls) => 10.0 * calls * (sample is >= 30 and < 34 ? 4 : 1));

        Assert.Equal(StopReason.Converged, m.Stop.Reason);
        Assert.Equal(10.0, m.MedianMicroseconds, 9);
        Assert.Equal(40.0, m.Statistics.Max, 9);
    }

    [Fact]
    public void Budget_cuts_off_a_slow_candidate_with_a_stated_reason()
    {
        // 100 ms per call against a 0.5 s budget: the pilot settles on one call, the warm-up stops at its share of
        // the budget, and the actual stage stops at the fewest samples a budget cut allows.
        var m = Measure((_, calls) => 100_000.0 * calls, TimeSpan.FromMilliseconds(500));

        Assert.Equal(1, m.Repetitions);
        Assert.False(m.ReachedSteadyState);
        Assert.Contains("budget", m.Stages[1].Outcome, StringComparison.Ordinal);
        Assert.Equal(StopReason.BudgetSpent, m.Stop.Reason);
        Assert.Equal(MeasurementPolicy.Default.MinSamplesBeforeBudgetCut, m.SamplesMicroseconds.Count);
        Assert.InRange(m.Elapsed, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(900));
    }

    [Fact]
    public void A_sampler_that_returns_nonsense_is_an_error_naming_the_value()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Measure((_, _) => double.NaN));
        Assert.Contains("NaN", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_policy_is_refused_up_front() =>
        Assert.Throws<ArgumentException>(() => new MeasurementRunner(MeasurementPolicy.Default with { WarmupWindow = 0 }));

    /// <summary>
    /// Measures a synthetic candidate: <paramref name="timeOfSample"/> gives the total µs of a sample from its index
    /// (across all stages) and its call count. The clock advances by that time plus a fixed overhead.
    /// </summary>
    private static Measurement Measure(Func<int, int, double> timeOfSample, TimeSpan? budget = null)
    {
        var clock = new SyntheticClock();
        var index = 0;
        double Sampler(int calls)
        {
            var elapsed = timeOfSample(index++, calls);
            clock.Advance(elapsed + OverheadMicroseconds);
            return elapsed;
        }

        return new MeasurementRunner(MeasurementPolicy.Default, clock).Run(Sampler, budget ?? Budget);
    }
}
