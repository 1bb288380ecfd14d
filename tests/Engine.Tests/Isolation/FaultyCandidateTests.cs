using System.Diagnostics;
using MoeTune.Engine.Accuracy;
using MoeTune.Engine.Autotuning;
using MoeTune.Engine.Backends;
using MoeTune.Engine.Selection;
using MoeTune.Engine.Tests.Support;
using MoeTune.Tuning;
using MoeTune.TuningDb;

namespace MoeTune.Engine.Tests.Isolation;

/// <summary>
/// The fault plugin, dropped in through MOETUNE_PLUGINS, fails in each way a plugin can: the tune goes on, the Reference
/// backend wins, and the store holds the faulty candidate with its outcome and error, so that it is never chosen.
/// Isolated, the candidate runs in a real <c>moetune probe</c> child; in-process, the same code runs in the tuner.
/// </summary>
public sealed class FaultyCandidateTests : IDisposable
{
    private readonly TempDirectory _plugins = new();

    public void Dispose() => _plugins.Dispose();

    [Theory]
    [InlineData(CandidateIsolation.AllPlugins)]
    [InlineData(CandidateIsolation.None)]
    public void A_throwing_support_check_is_a_no_with_its_reason(CandidateIsolation isolation)
    {
        var (result, stored) = Tune("check-support", isolation);

        Assert.Equal(CandidateState.Unsupported, Faulty(result).State);
        Assert.Equal("support check threw InvalidOperationException: fault plugin: the support check fails", Faulty(result).Detail);
        Assert.Equal(CandidateOutcome.Unsupported, stored.Outcome);
        Assert.Equal(Faulty(result).Detail, stored.Detail);
    }

    [Theory]
    [InlineData(CandidateIsolation.AllPlugins)]
    [InlineData(CandidateIsolation.None)]
    public void A_throwing_prepare_fails_the_candidate_naming_the_step(CandidateIsolation isolation)
    {
        var (result, stored) = Tune("prepare", isolation);

        Assert.Equal(CandidateState.Failed, Faulty(result).State);
        Assert.Equal("prepare: InvalidOperationException: fault plugin: prepare fails", Faulty(result).Detail);
        Assert.Equal(CandidateOutcome.Failed, stored.Outcome);
        Assert.Equal(Faulty(result).Detail, stored.Detail);
    }

    [Theory]
    [InlineData(CandidateIsolation.AllPlugins)]
    [InlineData(CandidateIsolation.None)]
    public void A_throwing_forward_fails_the_candidate_in_the_correctness_gate(CandidateIsolation isolation)
    {
        var (result, stored) = Tune("forward", isolation);

        Assert.Equal("correctness gate: InvalidOperationException: fault plugin: forward fails", Faulty(result).Detail);
        Assert.Equal(CandidateOutcome.Failed, stored.Outcome);
        Assert.Equal(Faulty(result).Detail, stored.Detail);
    }

    [Theory]
    [InlineData(CandidateIsolation.AllPlugins)]
    [InlineData(CandidateIsolation.None)]
    public void Wrong_numbers_are_incorrect_and_never_chosen(CandidateIsolation isolation)
    {
        var (result, stored) = Tune("wrong", isolation);

        Assert.Equal(CandidateState.Failed, Faulty(result).State);
        Assert.StartsWith("incorrect: relative Frobenius error", Faulty(result).Detail, StringComparison.Ordinal);
        Assert.Equal(CandidateOutcome.Incorrect, stored.Outcome);
        Assert.True(stored.CorrectnessError > RelativeError.Bf16Tolerance, $"gate error {stored.CorrectnessError}");
        Assert.Empty(stored.Buckets);
    }

    [Fact]
    public void A_forward_that_never_returns_is_killed_at_the_probe_timeout()
    {
        var clock = Stopwatch.StartNew();

        var (result, stored) = Tune("spin", CandidateIsolation.AllPlugins, probeTimeout: TimeSpan.FromSeconds(5));

        Assert.Equal("timed out after 5 s during correctness gate", Faulty(result).Detail);
        Assert.Equal(CandidateOutcome.Failed, stored.Outcome);
        Assert.Equal(Faulty(result).Detail, stored.Detail);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the tune took {clock.Elapsed}");
    }

    [Fact]
    public void A_crashing_forward_fails_the_candidate_and_the_tuner_goes_on()
    {
        var (result, stored) = Tune("crash", CandidateIsolation.AllPlugins);

        var detail = Faulty(result).Detail;
        Assert.StartsWith(OperatingSystem.IsWindows() ? "crashed: fail-fast" : "crashed: SIGABRT during correctness gate", detail, StringComparison.Ordinal);
        Assert.Contains("fault plugin: simulated native crash in forward", detail, StringComparison.Ordinal);
        Assert.Equal(CandidateOutcome.Failed, stored.Outcome);
        Assert.Equal(detail, stored.Detail);
    }

    [Fact]
    public void A_candidate_that_failed_is_probed_again_on_the_next_tune_and_still_loses()
    {
        var folder = FixturePlugins.CopyFault(_plugins.Path, "forward");
        using var engine = new EngineHarness(pluginFolders: folder);
        using var device = engine.OpenCpu();
        var tuner = engine.Get<Autotuner>();
        var settings = Settings(CandidateIsolation.AllPlugins, null);

        tuner.Tune(new TuneRequest(device, TinyWeights.Of(), settings), cancellationToken: TestContext.Current.CancellationToken);
        var again = tuner.Tune(new TuneRequest(device, TinyWeights.Of(), settings), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(["Reference"], again.Reused);
        Assert.Equal(CandidateState.Failed, Faulty(again).State);
        Assert.Equal("Reference", again.Decision.Plan.ToString());
    }

    private static TuneSettings Settings(CandidateIsolation isolation, TimeSpan? probeTimeout) => new()
    {
        Buckets = [1, 2],
        Policy = MeasurementPolicy.Default with { CandidateBudget = TimeSpan.FromSeconds(0.3) },
        Isolation = isolation,
        ProbeTimeout = probeTimeout ?? TimeSpan.FromSeconds(60),
    };

    private static CandidateStatus Faulty(TuneResult result) => Assert.Single(result.Statuses, s => s.Name == FixturePlugins.FaultyBackendName);

    /// <summary>Tunes the tiny problem with the fault plugin beside Reference; returns the result and the fault's stored measurement.</summary>
    private (TuneResult Result, CandidateMeasurement Stored) Tune(string fault, CandidateIsolation isolation, TimeSpan? probeTimeout = null)
    {
        var folder = FixturePlugins.CopyFault(_plugins.Path, fault);
        using var engine = new EngineHarness(pluginFolders: folder);
        using var device = engine.OpenCpu();
        var catalog = engine.Get<BackendCatalog>();
        Assert.True(catalog.Failures.Count == 0, string.Join("; ", catalog.Failures));

        var result = engine.Get<Autotuner>().Tune(
            new TuneRequest(device, TinyWeights.Of(), Settings(isolation, probeTimeout)), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("Reference", result.Choice.Plan.ToString());
        Assert.Equal("Reference", engine.Get<TuningStore>().GetDecision(device.Info, TinyModel.Shape(), TuningObjective.Latency, Keys(catalog))!.Decision.Plan.ToString());
        var stored = Assert.Single(engine.Get<TuningStore>().GetMeasurements(device.Info, TinyModel.Shape(), Keys(catalog)), m => m.Plugin.Backend == FixturePlugins.FaultyBackendName);
        return (result, stored);
    }

    private static PluginKey[] Keys(BackendCatalog catalog) => [.. catalog.InPriorityOrder.Select(b => PluginKey.Of(b.Backend))];
}
