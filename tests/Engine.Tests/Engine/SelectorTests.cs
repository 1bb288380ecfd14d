using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Devices;
using MoeTune.Engine.Backends.Reference;
using MoeTune.Engine.Selection;
using MoeTune.Engine.Tests.Support;
using MoeTune.Tuning;
using MoeTune.TuningDb;

namespace MoeTune.Engine.Tests.Engine;

/// <summary>The selector over a real store: stored decisions judged stale or invalid, tuning on first use, the INFO line.</summary>
public sealed class SelectorTests
{
    [Fact]
    public void A_decision_made_under_another_driver_is_used_with_a_warning()
    {
        using var engine = new EngineHarness();
        Save(engine, Plan.OneBackend(ReferenceBackend.BackendName), [new ReferenceBackend()], driver: "12.4");
        using var device = engine.OpenCpu();

        var result = engine.Get<BackendSelector>().Select(Request(device), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(SelectionSource.StoredDecision, result.Source);
        var note = Assert.Single(result.Notes);
        Assert.Contains("tuned under driver 12.4", note, StringComparison.Ordinal);
        Assert.Contains("warning: ", engine.Log.ToString(), StringComparison.Ordinal);
        Assert.Null(result.Tuning);
    }

    [Fact]
    public void A_decision_whose_plugin_changed_version_is_not_used_and_the_problem_is_tuned_again()
    {
        var other = new TestBackend("Other", version: "2.0");
        using var engine = new EngineHarness([other]);
        Save(engine, Plan.OneBackend("Other"), [new TestBackend("Other", version: "1.0")], driver: "");
        using var device = engine.OpenCpu();

        var result = engine.Get<BackendSelector>().Select(Request(device), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(SelectionSource.Autotune, result.Source);
        Assert.Contains("Other changed from 1.0 (test) to 2.0 (test)", Assert.Single(result.Notes), StringComparison.Ordinal);
        Assert.NotNull(result.Tuning);
    }

    [Fact]
    public void The_choice_is_logged_in_one_info_line_with_its_source_and_every_candidate()
    {
        using var engine = new EngineHarness([new TestBackend("FastWrong", forward: TestBackend.WriteZeros)]);
        using var device = engine.OpenCpu();

        engine.Get<BackendSelector>().Select(Request(device) with { Label = "tiny" }, cancellationToken: TestContext.Current.CancellationToken);

        var line = Assert.Single(engine.Log.ToString().Split('\n'), l => l.Contains("MoE backend", StringComparison.Ordinal));
        Assert.StartsWith("information: ", line, StringComparison.Ordinal);
        Assert.Contains("MoE backend Reference for tiny (moe1;E=8;k=2;H=64;I=32;act=swiglu;fmt=bf16) on CPU", line, StringComparison.Ordinal);
        Assert.Contains("(source: autotune)", line, StringComparison.Ordinal);
        Assert.Contains("FastWrong failed (incorrect: relative Frobenius error 1 > 0.01)", line, StringComparison.Ordinal);
        Assert.Matches(@"Reference timed \(median [0-9.]+ µs at 1 tok … [0-9.]+ µs at 4 tok\)", line);
    }

    [Fact]
    public void Weights_are_only_asked_for_when_tuning_runs()
    {
        using var engine = new EngineHarness();
        using var device = engine.OpenCpu();
        var asked = 0;

        engine.Get<BackendSelector>().Select(Request(device, () => { asked++; return TinyWeights.Of(); }) with { Backend = "reference" }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(0, asked);
    }

    private static SelectionRequest Request(Devices.IExecutionDevice device, Func<Abstractions.Weights.MoeWeights>? weights = null) =>
        new(device, TinyModel.Shape(), weights ?? (() => TinyWeights.Of()))
        {
            Settings = new Autotuning.TuneSettings { Buckets = [1, 4], Policy = MeasurementPolicy.Default with { CandidateBudget = TimeSpan.FromSeconds(0.4) } },
        };

    private static void Save(EngineHarness engine, Plan plan, IReadOnlyList<IMoeBackend> tunedWith, string driver)
    {
        var cpu = DeviceInfo.HostCpu;
        engine.Get<TuningStore>().SaveDecision(new TuningDecision
        {
            Gpu = GpuClass.Of(cpu),
            Problem = TinyModel.Shape(),
            Objective = TuningObjective.Latency,
            Plan = plan,
            Cost = 10,
            Plugins = tunedWith.Select(PluginKey.Of).ToList(),
            Provenance = new Provenance(DateTimeOffset.UnixEpoch, "test", cpu.Name, driver),
        });
    }

    internal static void SaveDecision(EngineHarness engine, Plan plan, IReadOnlyList<IMoeBackend> tunedWith) => Save(engine, plan, tunedWith, driver: "");
}
