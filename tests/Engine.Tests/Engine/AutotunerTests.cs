using MoeTune.Engine.Autotuning;
using MoeTune.Engine.Selection;
using MoeTune.Engine.Tests.Support;
using MoeTune.Tuning;
using MoeTune.TuningDb;

namespace MoeTune.Engine.Tests.Engine;

public sealed class AutotunerTests
{
    private static readonly TuneSettings Quick = new()
    {
        Buckets = [1, 4],
        Policy = MeasurementPolicy.Default with { CandidateBudget = TimeSpan.FromSeconds(0.4) },
    };

    [Fact]
    public void A_faster_but_wrong_backend_fails_the_gate_and_never_wins()
    {
        var wrong = new TestBackend("FastWrong", forward: TestBackend.WriteZeros);
        using var engine = new EngineHarness([wrong]);
        using var device = engine.OpenCpu();

        var result = engine.Get<Autotuner>().Tune(new TuneRequest(device, TinyWeights.Of(), Quick), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("Reference", result.Choice.Plan.ToString());
        var status = Assert.Single(result.Statuses, s => s.Name == "FastWrong");
        Assert.Equal(CandidateState.Failed, status.State);
        Assert.StartsWith("incorrect: relative Frobenius error 1 > 0.01", status.Detail, StringComparison.Ordinal);
        var stored = Assert.Single(result.Measurements, m => m.Plugin.Backend == "FastWrong");
        Assert.Equal(CandidateOutcome.Incorrect, stored.Outcome);
        Assert.Equal(1.0, stored.CorrectnessError!.Value, 6);
        Assert.Empty(stored.Buckets);
    }

    [Fact]
    public void A_backend_that_doubles_its_output_is_incorrect()
    {
        using var engine = new EngineHarness([new TestBackend("Doubled", forward: TestBackend.Doubled)]);
        using var device = engine.OpenCpu();

        var result = engine.Get<Autotuner>().Tune(new TuneRequest(device, TinyWeights.Of(), Quick), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(CandidateOutcome.Incorrect, Assert.Single(result.Measurements, m => m.Plugin.Backend == "Doubled").Outcome);
    }

    [Fact]
    public void A_backend_that_leaves_the_poisoned_output_unwritten_is_caught()
    {
        using var engine = new EngineHarness([new TestBackend("Idle", forward: (_, _) => { })]);
        using var device = engine.OpenCpu();

        var result = engine.Get<Autotuner>().Tune(new TuneRequest(device, TinyWeights.Of(), Quick), cancellationToken: TestContext.Current.CancellationToken);

        var status = Assert.Single(result.Statuses, s => s.Name == "Idle");
        Assert.Contains("output holds NaN or infinity", status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_backend_that_throws_fails_with_the_step_and_the_tune_goes_on()
    {
        var broken = new TestBackend("Broken") { PrepareFailure = new InvalidOperationException("out of workspace") };
        using var engine = new EngineHarness([broken]);
        using var device = engine.OpenCpu();

        var result = engine.Get<Autotuner>().Tune(new TuneRequest(device, TinyWeights.Of(), Quick), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("Reference", result.Choice.Plan.ToString());
        Assert.Equal("prepare: InvalidOperationException: out of workspace", Assert.Single(result.Statuses, s => s.Name == "Broken").Detail);
    }

    [Fact]
    public void Every_requested_bucket_is_timed_and_the_decision_is_stored_with_provenance()
    {
        using var engine = new EngineHarness();
        using var device = engine.OpenCpu();

        var result = engine.Get<Autotuner>().Tune(new TuneRequest(device, TinyWeights.Of(), Quick, Label: "tiny"), cancellationToken: TestContext.Current.CancellationToken);

        var reference = Assert.Single(result.Measurements);
        Assert.Equal([1, 4], reference.Buckets.Select(b => b.Tokens));
        Assert.All(reference.Buckets, b => Assert.True(b.Statistics.Median > 0));
        var store = engine.Get<TuningStore>();
        var stored = store.GetDecision(device.Info, TinyModel.Shape(), TuningObjective.Latency, [PluginKey.Of(new Backends.Reference.ReferenceBackend())]);
        Assert.NotNull(stored);
        Assert.True(stored.IsValid);
        Assert.Equal(ToolInfo.Version, stored.Decision.Provenance.ToolVersion);
        Assert.Contains("tiny", store.GetProblems().Single().Labels);
    }

    [Fact]
    public void A_changed_plugin_version_re_measures_that_plugin_only()
    {
        using var shared = new TempDirectory();
        using (var first = new EngineHarness([new TestBackend("Other", version: "1.0")], shared: shared))
        using (var device = first.OpenCpu())
        {
            Assert.Empty(first.Get<Autotuner>().Tune(new TuneRequest(device, TinyWeights.Of(), Quick), cancellationToken: TestContext.Current.CancellationToken).Reused);
        }

        using var second = new EngineHarness([new TestBackend("Other", version: "2.0")], shared: shared);
        using var again = second.OpenCpu();
        var result = second.Get<Autotuner>().Tune(new TuneRequest(again, TinyWeights.Of(), Quick), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(["Reference"], result.Reused);
        Assert.Equal("2.0", Assert.Single(result.Measurements, m => m.Plugin.Backend == "Other").Plugin.Version);
    }

    [Fact]
    public void Force_measures_everything_again()
    {
        using var engine = new EngineHarness();
        using var device = engine.OpenCpu();
        var tuner = engine.Get<Autotuner>();
        tuner.Tune(new TuneRequest(device, TinyWeights.Of(), Quick), cancellationToken: TestContext.Current.CancellationToken);

        var reused = tuner.Tune(new TuneRequest(device, TinyWeights.Of(), Quick), cancellationToken: TestContext.Current.CancellationToken);
        var forced = tuner.Tune(new TuneRequest(device, TinyWeights.Of(), Quick with { Force = true }), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(["Reference"], reused.Reused);
        Assert.Empty(forced.Reused);
    }

    [Fact]
    public void Buckets_that_are_not_powers_of_two_are_refused()
    {
        using var engine = new EngineHarness();
        using var device = engine.OpenCpu();

        var error = Assert.Throws<ArgumentException>(() => engine.Get<Autotuner>().Tune(new TuneRequest(device, TinyWeights.Of(), Quick with { Buckets = [3] }), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("3 tokens is not a bucket", error.Message, StringComparison.Ordinal);
    }
}
