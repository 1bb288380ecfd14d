using MoeTune.Tuning.Tests.Store.Support;
using MoeTune.TuningDb;

namespace MoeTune.Tuning.Tests.Store;

/// <summary>A changed plugin invalidates its own measurements only; a changed driver makes decisions stale.</summary>
public sealed class InvalidationTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly TuningStore _store;

    public InvalidationTests()
    {
        _store = TuningStore.Open(new TuningStoreOptions(_folder.DatabasePath));
        _store.SaveMeasurement(Samples.Timed(Samples.Marlin));
        _store.SaveMeasurement(Samples.Timed(Samples.Cutlass));
        _store.SaveDecision(Samples.Decision());
    }

    public void Dispose()
    {
        _store.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public void A_new_plugin_version_invalidates_that_plugins_measurements_only()
    {
        var read = _store.GetMeasurements(Samples.H100(), Samples.Qwen3, [Samples.Marlin with { Version = "1.1.0" }, Samples.Cutlass]);
        Assert.Equal([Samples.Cutlass], read.Select(m => m.Plugin));
    }

    [Fact]
    public void A_new_kernel_hash_invalidates_that_plugins_measurements_only()
    {
        var read = _store.GetMeasurements(Samples.H100(), Samples.Qwen3, [Samples.Marlin, Samples.Cutlass with { KernelSourceHash = "ffffff" }]);
        Assert.Equal([Samples.Marlin], read.Select(m => m.Plugin));
    }

    [Fact]
    public void A_plugin_no_longer_loaded_has_no_valid_measurements()
    {
        Assert.Equal([Samples.Marlin], _store.GetMeasurements(Samples.H100(), Samples.Qwen3, [Samples.Marlin]).Select(m => m.Plugin));
    }

    [Fact]
    public void Another_driver_makes_the_decision_stale_but_still_returns_it_with_the_reason()
    {
        var read = _store.GetDecision(Samples.H100(driver: "13.0"), Samples.Qwen3, TuningObjective.Latency, [Samples.Marlin, Samples.Cutlass]);

        Assert.NotNull(read);
        Assert.True(read.IsStale);
        Assert.True(read.IsValid);
        Assert.Equal("tuned under driver 12.8; this GPU now runs driver 13.0", read.StaleReason);
    }

    [Fact]
    public void The_same_driver_is_not_stale()
    {
        Assert.False(_store.GetDecision(Samples.H100(), Samples.Qwen3, TuningObjective.Latency, [Samples.Marlin, Samples.Cutlass])!.IsStale);
    }

    [Fact]
    public void A_changed_or_missing_plan_backend_makes_the_decision_invalid_and_says_which()
    {
        var changed = _store.GetDecision(Samples.H100(), Samples.Qwen3, TuningObjective.Latency, [Samples.Marlin with { KernelSourceHash = "0ff" }]);

        Assert.NotNull(changed);
        Assert.False(changed.IsValid);
        Assert.Contains("Marlin changed from 1.0.0 (a1b2c3) to 1.0.0 (0ff)", changed.InvalidReason, StringComparison.Ordinal);
        Assert.Contains("FlashInferCutlass is not loaded", changed.InvalidReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Identical_cards_share_decisions_whatever_their_ordinal_or_uuid()
    {
        var sameClass = Samples.H100() with { Ordinal = 3, Uuid = "GPU-1234" };
        Assert.NotNull(_store.GetDecision(sameClass, Samples.Qwen3, TuningObjective.Latency, [Samples.Marlin, Samples.Cutlass]));

        var otherClass = Samples.H100() with { MultiprocessorCount = 114 };
        Assert.Null(_store.GetDecision(otherClass, Samples.Qwen3, TuningObjective.Latency, [Samples.Marlin, Samples.Cutlass]));
    }
}
