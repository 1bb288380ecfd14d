using MoeTune.Tuning;

namespace MoeTune.Tuning.Tests.Policies;

public sealed class StopRuleTests
{
    private static readonly MeasurementPolicy Policy = MeasurementPolicy.Default;

    [Fact]
    public void Pilot_starts_with_one_call_and_discards_the_first_sample()
    {
        var first = Policy.Pilot([]);
        Assert.False(first.IsSettled);
        Assert.Equal(1, first.Repetitions);

        // A cold first call looks slow enough, but it is not trusted.
        var second = Policy.Pilot([new PilotSample(1, 5000)]);
        Assert.False(second.IsSettled);
        Assert.Equal(1, second.Repetitions);
    }

    [Fact]
    public void Pilot_extrapolates_with_headroom_then_settles_when_the_target_is_reached()
    {
        var grow = Policy.Pilot([new PilotSample(1, 50), new PilotSample(1, 5)]);
        Assert.False(grow.IsSettled);
        Assert.Equal(48, grow.Repetitions); // ceil(200 µs * 1.2 / 5 µs)

        var settle = Policy.Pilot([new PilotSample(1, 50), new PilotSample(1, 5), new PilotSample(48, 241)]);
        Assert.True(settle.IsSettled);
        Assert.Equal(48, settle.Repetitions);
    }

    [Fact]
    public void Pilot_settles_on_one_call_for_a_slow_kernel()
    {
        var decision = Policy.Pilot([new PilotSample(1, 900), new PilotSample(1, 800)]);
        Assert.True(decision.IsSettled);
        Assert.Equal(1, decision.Repetitions);
    }

    [Fact]
    public void Pilot_at_least_doubles_grows_tenfold_on_an_untimeable_sample_and_stops_at_the_cap()
    {
        Assert.Equal(8, Policy.Pilot([new PilotSample(4, 1), new PilotSample(4, 199)]).Repetitions);
        Assert.Equal(40, Policy.Pilot([new PilotSample(4, 0), new PilotSample(4, 0)]).Repetitions);

        var capped = Policy.Pilot([new PilotSample(4096, 1), new PilotSample(4096, 100)]);
        Assert.True(capped.IsSettled);
        Assert.Equal(Policy.MaxRepetitions, capped.Repetitions);
        Assert.Contains("capped", capped.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Warm_needs_two_full_windows()
    {
        Assert.False(Policy.IsWarm([10, 10, 10, 10, 10, 10, 10, 10, 10]));
        Assert.True(Policy.IsWarm([10, 10, 10, 10, 10, 10, 10, 10, 10, 10]));
    }

    [Fact]
    public void Warm_compares_window_medians_so_drift_keeps_it_cold_and_one_outlier_does_not()
    {
        Assert.False(Policy.IsWarm([20, 19, 18, 17, 16, 15, 14, 13, 12, 11]));
        Assert.True(Policy.IsWarm([10, 10, 90, 10, 10, 10.1, 10, 10, 80, 10]));
        Assert.False(Policy.IsWarm([10, 10, 10, 10, 10, 10.3, 10.3, 10.3, 10.3, 10.3]));
    }

    [Fact]
    public void Should_not_stop_before_the_minimum_samples_and_time()
    {
        var steady = Enumerable.Repeat(10.0, 9).ToArray();
        var few = Policy.ShouldStop(steady, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        Assert.False(few.ShouldStop);
        Assert.Contains("9 of at least 10", few.Explanation, StringComparison.Ordinal);

        var quick = Policy.ShouldStop([.. steady, 10], TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1));
        Assert.False(quick.ShouldStop);
    }

    [Fact]
    public void Steady_samples_converge_and_noisy_ones_continue()
    {
        var steady = Policy.ShouldStop(Enumerable.Repeat(10.0, 10).ToArray(), TimeSpan.FromMilliseconds(30), TimeSpan.FromSeconds(1));
        Assert.Equal(StopReason.Converged, steady.Reason);

        double[] noisy = [8, 12, 9, 11, 7, 13, 10, 8, 12, 10];
        var decision = Policy.ShouldStop(noisy, TimeSpan.FromMilliseconds(30), TimeSpan.FromSeconds(1));
        Assert.Equal(StopReason.None, decision.Reason);
        Assert.Contains("target", decision.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Caps_stop_a_noisy_stage_and_say_which()
    {
        var noisy = Enumerable.Range(0, 200).Select(i => i % 2 == 0 ? 5.0 : 15.0).ToArray();
        Assert.Equal(StopReason.MaxSamples, Policy.ShouldStop(noisy, TimeSpan.FromMilliseconds(30), TimeSpan.FromSeconds(1)).Reason);
        Assert.Equal(StopReason.StageTimeLimit, Policy.ShouldStop(noisy[..50], TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)).Reason);
    }

    [Fact]
    public void A_spent_budget_stops_only_once_three_samples_exist()
    {
        Assert.False(Policy.ShouldStop([10, 11], TimeSpan.FromSeconds(1), TimeSpan.Zero).ShouldStop);
        var stop = Policy.ShouldStop([10, 11, 12], TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(-1));
        Assert.Equal(StopReason.BudgetSpent, stop.Reason);
        Assert.Contains("budget spent after 3 samples", stop.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Budget_is_shared_equally_between_a_candidates_measurements()
    {
        Assert.Equal(TimeSpan.FromSeconds(2), Policy.BudgetPerMeasurement(5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Policy.BudgetPerMeasurement(0));
    }

    [Fact]
    public void Invalid_options_are_named()
    {
        var error = Assert.Throws<ArgumentException>(() => (Policy with { MaxSamples = 5 }).Validate());
        Assert.Contains("MaxSamples", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => (Policy with { TargetRelativeError = 0 }).Validate());
        Assert.Contains("TargetRelativeError", error.Message, StringComparison.Ordinal);
    }
}
