using MoeTune.Engine.Autotuning;
using MoeTune.Engine.Tests.Support;
using MoeTune.Tuning;

namespace MoeTune.Engine.Tests.Isolation;

/// <summary>A probed candidate reports its steps as they happen, through the child, in the same order as in-process.</summary>
public sealed class ProbeProgressTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void The_childs_steps_reach_the_tuners_progress_in_order()
    {
        using var engine = new EngineHarness(pluginFolders: FixturePlugins.CopyTo(_temp.Path));
        using var device = engine.OpenCpu();
        var seen = new List<TuningProgress>();
        var settings = new TuneSettings
        {
            Buckets = [1, 2],
            Policy = MeasurementPolicy.Default with { CandidateBudget = TimeSpan.FromSeconds(0.3) },
            Isolation = CandidateIsolation.AllPlugins,
        };

        var result = engine.Get<Autotuner>().Tune(new TuneRequest(device, TinyWeights.Of(), settings), new Recorder(seen), TestContext.Current.CancellationToken);

        Assert.Contains(result.Measurements, m => m.Plugin.Backend == FixturePlugins.BackendName && m.Outcome == CandidateOutcome.Ok);
        var steps = seen.Where(p => p.Backend == FixturePlugins.BackendName).Select(p => p.Activity).ToList();
        string[] expected = ["writing the weights for the probes", "starting the probe", "reading the weights", "prepare", "correctness gate", "1 tokens", "2 tokens", "timed"];
        Assert.Equal(expected, steps.Distinct());
        Assert.True(seen.Last(p => p.Backend == FixturePlugins.BackendName).IsCandidateDone);
        Assert.Contains("probing NaiveCpu in a child process", engine.Log.ToString(), StringComparison.Ordinal);
    }

    private sealed class Recorder(List<TuningProgress> seen) : IProgress<TuningProgress>
    {
        public void Report(TuningProgress value) => seen.Add(value);
    }
}
