using MoeTune.Tuning;

namespace MoeTune.Tuning.Tests.Plans;

public sealed class PlanChooserTests
{
    private const long GiB = 1L << 30;

    private static readonly PlanOptions Hybrids = new() { AllowHybrid = true };

    [Fact]
    public void Fastest_candidate_wins_without_an_incumbent_and_states_its_margin()
    {
        var choice = PlanChooser.ChoosePlan([Flat("Marlin", 100), Flat("TrtLlm", 120)], TuningObjective.Latency);

        Assert.Equal(Plan.OneBackend("Marlin"), choice.Plan);
        Assert.False(choice.KeptIncumbent);
        Assert.Equal(100, choice.Chosen.Cost, 9);
        Assert.Equal(Plan.OneBackend("TrtLlm"), choice.RunnerUp!.Plan);
        Assert.Equal(0.20, choice.MarginOverRunnerUp!.Value, 9);
        Assert.Equal(0, choice.ExtraBytes);
    }

    [Fact]
    public void A_lone_candidate_has_no_runner_up()
    {
        var choice = PlanChooser.ChoosePlan([Flat("Marlin", 100)], TuningObjective.Latency);
        Assert.Null(choice.RunnerUp);
        Assert.Null(choice.MarginOverRunnerUp);
    }

    [Fact]
    public void A_tie_keeps_the_incumbent()
    {
        var choice = PlanChooser.ChoosePlan([Flat("Alpha", 100), Flat("Beta", 100)], TuningObjective.Latency, Plan.OneBackend("Beta"));

        Assert.Equal(Plan.OneBackend("Beta"), choice.Plan);
        Assert.True(choice.KeptIncumbent);
        Assert.Equal(0, choice.MarginOverRunnerUp!.Value, 9);
    }

    [Fact]
    public void Noise_within_the_margin_keeps_the_incumbent_and_says_by_how_much_it_trails()
    {
        var choice = PlanChooser.ChoosePlan([Flat("Alpha", 98), Flat("Beta", 100)], TuningObjective.Latency, Plan.OneBackend("Beta"));

        Assert.Equal(Plan.OneBackend("Beta"), choice.Plan);
        Assert.True(choice.KeptIncumbent);
        Assert.Contains("within the 3.0% margin", choice.Reason, StringComparison.Ordinal);
        Assert.Equal(Plan.OneBackend("Alpha"), choice.RunnerUp!.Plan);
        Assert.True(choice.MarginOverRunnerUp < 0);
    }

    [Fact]
    public void A_clear_win_replaces_the_incumbent()
    {
        var choice = PlanChooser.ChoosePlan([Flat("Alpha", 90), Flat("Beta", 100)], TuningObjective.Latency, Plan.OneBackend("Beta"));

        Assert.Equal(Plan.OneBackend("Alpha"), choice.Plan);
        Assert.False(choice.KeptIncumbent);
        Assert.Contains("beats incumbent Beta by 10.0%", choice.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_incumbent_that_failed_this_time_is_replaced_with_the_reason()
    {
        var choice = PlanChooser.ChoosePlan(
            [Flat("Alpha", 100), CandidateResult.Failed("Beta", "CUDA_ERROR_ILLEGAL_ADDRESS")],
            TuningObjective.Latency,
            Plan.OneBackend("Beta"));

        Assert.Equal(Plan.OneBackend("Alpha"), choice.Plan);
        Assert.Contains("Beta cannot win", choice.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CandidateOutcome.Failed)]
    [InlineData(CandidateOutcome.Unsupported)]
    [InlineData(CandidateOutcome.Incorrect)]
    public void A_candidate_that_did_not_pass_never_wins_however_fast(CandidateOutcome outcome)
    {
        var fastButBad = Flat("Fast", 1) with { Outcome = outcome, Detail = "relative Frobenius error 0.3 > 0.01" };

        var choice = PlanChooser.ChoosePlan([fastButBad, Flat("Slow", 500)], TuningObjective.Latency, Plan.OneBackend("Fast"), Hybrids);

        Assert.Equal(Plan.OneBackend("Slow"), choice.Plan);
        Assert.Null(choice.RunnerUp);
        var excluded = Assert.Single(choice.Excluded);
        Assert.Equal("Fast", excluded.Backend);
        Assert.Equal(outcome, excluded.Outcome);
    }

    [Fact]
    public void No_eligible_candidate_is_an_error_listing_each_reason()
    {
        var error = Assert.Throws<InvalidOperationException>(() => PlanChooser.ChoosePlan(
            [CandidateResult.Unsupported("Marlin", "needs SM80"), CandidateResult.Incorrect("TrtLlm", "error 0.5")],
            TuningObjective.Latency));

        Assert.Contains("Marlin unsupported (needs SM80)", error.Message, StringComparison.Ordinal);
        Assert.Contains("TrtLlm incorrect (error 0.5)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hybrid_takes_each_buckets_fastest_and_reports_the_extra_weight_copy()
    {
        // Marlin streams weights (fast at decode), Cutlass runs big tiles (fast at prefill).
        var marlin = Curve("Marlin", t => t <= 64 ? 50 : 50 + t, 4 * GiB, GiB / 4);
        var cutlass = Curve("Cutlass", t => t <= 64 ? 80 : 30 + (t / 2.0), 5 * GiB, GiB);

        var choice = PlanChooser.ChoosePlan([marlin, cutlass], TuningObjective.Latency, options: Hybrids);

        Assert.True(choice.Plan.IsHybrid);
        Assert.Equal([new PlanStep(64, "Marlin"), new PlanStep(int.MaxValue, "Cutlass")], choice.Plan.Steps);
        Assert.Equal(marlin.TotalBytes + cutlass.TotalBytes, choice.PlanBytes);
        // Cutlass serves 8 of the 15 buckets, so Marlin is the extra copy.
        Assert.Equal(marlin.TotalBytes, choice.ExtraBytes);
        // Latency weighs decode most, so the best single backend, and the runner-up, is Marlin.
        Assert.Equal(Plan.OneBackend("Marlin"), choice.RunnerUp!.Plan);
        Assert.True(choice.MarginOverRunnerUp > PlanOptions.Default.TieMargin);
    }

    [Fact]
    public void Hybrid_is_not_worth_an_extra_copy_within_the_margin()
    {
        var a = Curve("A", t => 100.0, GiB, 0);
        var b = Curve("B", t => t == 16384 ? 90.0 : 101.0, GiB, 0);

        var choice = PlanChooser.ChoosePlan([a, b], TuningObjective.Latency, options: Hybrids);

        Assert.False(choice.Plan.IsHybrid);
        Assert.Equal(Plan.OneBackend("A"), choice.Plan);
    }

    [Fact]
    public void Without_hybrids_a_candidate_missing_a_bucket_cannot_run_alone()
    {
        var partial = new CandidateResult("Partial", CandidateOutcome.Ok, new Dictionary<int, double> { [1] = 10 }, GiB, 0);
        var full = Curve("Full", _ => 100, GiB, 0);

        Assert.Equal(Plan.OneBackend("Full"), PlanChooser.ChoosePlan([partial, full], TuningObjective.Latency).Plan);

        var hybrid = PlanChooser.ChoosePlan([partial, full], TuningObjective.Latency, options: Hybrids);
        Assert.Equal([new PlanStep(1, "Partial"), new PlanStep(int.MaxValue, "Full")], hybrid.Plan.Steps);

        var error = Assert.Throws<InvalidOperationException>(() => PlanChooser.ChoosePlan([partial, Flat("Other", 5, buckets: [2])], TuningObjective.Latency));
        Assert.Contains("no candidate was timed at every bucket", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hybrid_incumbent_is_dropped_when_hybrids_are_off()
    {
        var incumbent = new Plan([new PlanStep(64, "A"), new PlanStep(int.MaxValue, "B")]);
        var choice = PlanChooser.ChoosePlan([Flat("A", 100), Flat("B", 100)], TuningObjective.Latency, incumbent);

        Assert.False(choice.Plan.IsHybrid);
        Assert.Contains("hybrid plans are off", choice.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Latency_favours_decode_and_throughput_favours_large_batches()
    {
        // Decode is 20% faster on Marlin, prefill 20% faster on Cutlass.
        var marlin = Curve("Marlin", t => t <= 64 ? 80 : 1.2 * t, GiB, 0);
        var cutlass = Curve("Cutlass", t => t <= 64 ? 100 : 1.0 * t, GiB, 0);

        Assert.Equal(Plan.OneBackend("Marlin"), PlanChooser.ChoosePlan([marlin, cutlass], TuningObjective.Latency).Plan);

        var throughput = PlanChooser.ChoosePlan([marlin, cutlass], TuningObjective.Throughput);
        Assert.Equal(Plan.OneBackend("Cutlass"), throughput.Plan);
        Assert.Equal(1.0, throughput.Chosen.Cost, 9); // µs per token at the large buckets
        Assert.Equal(0.2, throughput.MarginOverRunnerUp!.Value, 9);
    }

    [Fact]
    public void Throughput_uses_the_largest_bucket_when_none_is_large()
    {
        var a = Flat("A", 10, buckets: [1, 2, 4]);
        var b = new CandidateResult("B", CandidateOutcome.Ok, new Dictionary<int, double> { [1] = 5, [2] = 5, [4] = 9 }, GiB, 0);

        Assert.Equal(Plan.OneBackend("B"), PlanChooser.ChoosePlan([a, b], TuningObjective.Throughput).Plan);
    }

    [Fact]
    public void Memory_takes_the_leanest_candidate_within_the_slowdown_bound()
    {
        var fast = Flat("Fast", 100, weightBytes: 10 * GiB);
        var lean = Flat("Lean", 108, weightBytes: 8 * GiB);
        var leanest = Flat("Leanest", 125, weightBytes: 6 * GiB);

        var choice = PlanChooser.ChoosePlan([fast, lean, leanest], TuningObjective.Memory);

        Assert.Equal(Plan.OneBackend("Lean"), choice.Plan);
        Assert.Equal(8 * GiB, choice.Chosen.Cost);
        Assert.Equal(8 * GiB, choice.PlanBytes);
        Assert.Equal(Plan.OneBackend("Fast"), choice.RunnerUp!.Plan);
        Assert.Equal(0.25, choice.MarginOverRunnerUp!.Value, 9);
    }

    [Fact]
    public void Memory_drops_an_incumbent_that_became_too_slow()
    {
        var choice = PlanChooser.ChoosePlan(
            [Flat("Fast", 100, weightBytes: 10 * GiB), Flat("Lean", 130, weightBytes: 6 * GiB)],
            TuningObjective.Memory,
            Plan.OneBackend("Lean"));

        Assert.Equal(Plan.OneBackend("Fast"), choice.Plan);
        Assert.Contains("beyond the 10% bound", choice.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_candidates_are_named()
    {
        Assert.Contains("listed twice", Assert.Throws<ArgumentException>(() => PlanChooser.ChoosePlan([Flat("A", 1), Flat("a", 2)], TuningObjective.Latency)).Message, StringComparison.Ordinal);
        Assert.Contains("48 tokens is not a bucket", Assert.Throws<ArgumentException>(() => PlanChooser.ChoosePlan([Flat("A", 1, buckets: [48])], TuningObjective.Latency)).Message, StringComparison.Ordinal);
        Assert.Contains("must be finite and positive", Assert.Throws<ArgumentException>(() => PlanChooser.ChoosePlan([Flat("A", 0)], TuningObjective.Latency)).Message, StringComparison.Ordinal);
    }

    private static CandidateResult Flat(string backend, double micros, long weightBytes = GiB, int[]? buckets = null) =>
        CandidateResult.Timed(backend, (buckets ?? [.. TokenBuckets.All]).ToDictionary(b => b, _ => micros), weightBytes, 0);

    private static CandidateResult Curve(string backend, Func<int, double> micros, long weightBytes, long workspaceBytes) =>
        CandidateResult.Timed(backend, TokenBuckets.All.ToDictionary(b => b, micros), weightBytes, workspaceBytes);
}
