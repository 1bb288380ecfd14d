using MoeTune.Tuning.Tests.Store.Support;
using MoeTune.TuningDb;

namespace MoeTune.Tuning.Tests.Store;

public sealed class StoreRoundTripTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_measurement_reads_back_field_for_field_after_reopening()
    {
        var saved = Samples.Timed(Samples.Marlin);
        using (var store = Open())
        {
            store.SaveMeasurement(saved);
        }

        using var reopened = Open();
        var read = Assert.Single(reopened.GetMeasurements(Samples.H100(), Samples.Qwen3, [Samples.Marlin]));
        Assert.Equal(saved.Gpu, read.Gpu);
        Assert.Equal(saved.Problem, read.Problem);
        Assert.Equal(saved.Plugin, read.Plugin);
        Assert.Equal(saved.Buckets, read.Buckets);
        Assert.Equal(saved.Buckets[0].Statistics, read.Buckets[0].Statistics);
        Assert.Equal(saved, read with { Buckets = saved.Buckets });
    }

    [Fact]
    public void Failed_and_unsupported_candidates_keep_their_error_or_reason()
    {
        using var store = Open();
        store.SaveMeasurement(Samples.Failed(Samples.Marlin, "CUDA_ERROR_ILLEGAL_ADDRESS in gemm1"));
        store.SaveMeasurement(Samples.Failed(Samples.Cutlass, "needs SM90a") with { Outcome = CandidateOutcome.Unsupported });

        var read = store.GetMeasurements(Samples.H100(), Samples.Qwen3, [Samples.Marlin, Samples.Cutlass]);

        Assert.Equal(CandidateOutcome.Unsupported, read[0].Outcome);
        Assert.Equal("needs SM90a", read[0].Detail);
        Assert.Equal(CandidateOutcome.Failed, read[1].Outcome);
        Assert.Equal("CUDA_ERROR_ILLEGAL_ADDRESS in gemm1", read[1].Detail);
        Assert.False(read[1].ToCandidateResult().CanWin);
    }

    [Fact]
    public void A_newer_measurement_of_the_same_candidate_replaces_the_older()
    {
        using var store = Open();
        store.SaveMeasurement(Samples.Timed(Samples.Marlin, micros: 100));
        store.SaveMeasurement(Samples.Timed(Samples.Marlin, micros: 80, at: Samples.Noon.AddHours(1)));

        var read = Assert.Single(store.GetMeasurements(Samples.H100(), Samples.Qwen3, [Samples.Marlin]));
        Assert.Equal(80, read.ToCandidateResult().MedianMicroseconds[1], 9);
    }

    [Fact]
    public void Measurements_are_kept_per_gpu_class_and_problem()
    {
        using var store = Open();
        var a100 = Samples.H100() with { Name = "NVIDIA A100-SXM4-80GB", SmMajor = 8, MultiprocessorCount = 108 };
        store.SaveMeasurement(Samples.Timed(Samples.Marlin));
        store.SaveMeasurement(Samples.Timed(Samples.Cutlass, device: a100));
        store.SaveMeasurement(Samples.Timed(Samples.Cutlass, problem: Samples.Mixtral));

        Assert.Equal([Samples.Marlin], store.GetMeasurements(Samples.H100(), Samples.Qwen3, [Samples.Marlin, Samples.Cutlass]).Select(m => m.Plugin));
        Assert.Equal([Samples.Cutlass], store.GetMeasurements(a100, Samples.Qwen3, [Samples.Marlin, Samples.Cutlass]).Select(m => m.Plugin));
        Assert.Equal(2, store.GetGpuClasses().Count);
        Assert.Contains(GpuClass.Of(a100), store.GetGpuClasses());
    }

    [Fact]
    public void A_decision_reads_back_with_its_plan_runner_up_margin_and_provenance()
    {
        var saved = Samples.Decision();
        using (var store = Open())
        {
            store.SaveDecision(saved);
        }

        using var reopened = Open();
        var read = reopened.GetDecision(Samples.H100(), Samples.Qwen3, TuningObjective.Latency, [Samples.Marlin, Samples.Cutlass]);

        Assert.NotNull(read);
        Assert.True(read.IsValid);
        Assert.False(read.IsStale);
        Assert.Equal(saved.Plan, read.Decision.Plan);
        Assert.Equal(saved.RunnerUp, read.Decision.RunnerUp);
        Assert.Equal(saved.Provenance, read.Decision.Provenance);
        Assert.Equal(saved.Plugins, read.Decision.Plugins);
        Assert.Equal(saved.MarginOverRunnerUp, read.Decision.MarginOverRunnerUp);
        Assert.Null(reopened.GetDecision(Samples.H100(), Samples.Qwen3, TuningObjective.Memory, [Samples.Marlin, Samples.Cutlass]));
    }

    [Fact]
    public void A_decision_made_from_a_plan_choice_records_the_plans_backends()
    {
        var choice = PlanChooser.ChoosePlan(
            [CandidateResult.Timed("Marlin", new Dictionary<int, double> { [1] = 10 }, 1, 0), CandidateResult.Timed("FlashInferCutlass", new Dictionary<int, double> { [1] = 12 }, 1, 0)],
            TuningObjective.Latency);

        var decision = TuningDecision.From(choice, GpuClass.Of(Samples.H100()), Samples.Qwen3, [Samples.Marlin, Samples.Cutlass], Samples.Decision().Provenance);

        Assert.Equal([Samples.Marlin], decision.Plugins);
        Assert.Equal(Plan.OneBackend("FlashInferCutlass"), decision.RunnerUp);
        Assert.Equal(0.2, decision.MarginOverRunnerUp!.Value, 9);
        Assert.Null(decision.FirstError());
    }

    [Fact]
    public void Problem_labels_accumulate_and_problems_are_listed()
    {
        using var store = Open();
        store.AddProblemLabel(Samples.Qwen3, "qwen3-30b-a3b");
        store.AddProblemLabel(Samples.Qwen3, "Qwen/Qwen3-30B-A3B-FP4");
        store.AddProblemLabel(Samples.Qwen3, "qwen3-30b-a3b");
        store.SaveMeasurement(Samples.Timed(Samples.Marlin, problem: Samples.Mixtral));

        var problems = store.GetProblems().ToDictionary(p => p.Shape, p => p.Labels);
        Assert.Equal(["Qwen/Qwen3-30B-A3B-FP4", "qwen3-30b-a3b"], problems[Samples.Qwen3]);
        Assert.Empty(problems[Samples.Mixtral]);
        Assert.Throws<ArgumentException>(() => store.AddProblemLabel(Samples.Qwen3, "bad\nlabel"));
    }

    [Theory]
    [InlineData("../evil")]
    [InlineData("/usr/lib/libevil.so")]
    [InlineData("C:\\evil.dll")]
    [InlineData("Marlin evil")]
    public void A_record_naming_a_path_instead_of_a_backend_is_refused(string name)
    {
        using var store = Open();
        var error = Assert.Throws<ArgumentException>(() => store.SaveMeasurement(Samples.Timed(new PluginKey(name, "1", "h"))));
        Assert.Contains("not a backend name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_ok_measurement_without_timings_is_refused()
    {
        using var store = Open();
        var error = Assert.Throws<ArgumentException>(() => store.SaveMeasurement(Samples.Timed(Samples.Marlin) with { Buckets = [] }));
        Assert.Contains("at least one bucket", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_in_memory_store_behaves_like_the_file()
    {
        using var store = TuningStore.OpenInMemory();
        store.SaveMeasurement(Samples.Timed(Samples.Marlin));

        Assert.True(store.IsInMemory);
        Assert.Equal(":memory:", store.Location);
        Assert.Single(store.GetMeasurements(Samples.H100(), Samples.Qwen3, [Samples.Marlin]));
    }

    private TuningStore Open() => TuningStore.Open(new TuningStoreOptions(_folder.DatabasePath));
}
