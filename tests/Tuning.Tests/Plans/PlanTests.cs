using MoeTune.Tuning;

namespace MoeTune.Tuning.Tests.Plans;

public sealed class PlanTests
{
    [Fact]
    public void From_buckets_merges_runs_and_extends_the_last_step()
    {
        var plan = Plan.FromBuckets(new Dictionary<int, string> { [1] = "Marlin", [16] = "Marlin", [64] = "TrtLlm", [4096] = "Cutlass", [16384] = "Cutlass" });

        Assert.Equal([new PlanStep(16, "Marlin"), new PlanStep(64, "TrtLlm"), new PlanStep(int.MaxValue, "Cutlass")], plan.Steps);
        Assert.Equal(["Marlin", "TrtLlm", "Cutlass"], plan.Backends);
        Assert.True(plan.IsHybrid);
        Assert.Equal("1-16: Marlin, 17-64: TrtLlm, 65+: Cutlass", plan.ToString());
    }

    [Theory]
    [InlineData(1, "Marlin")]
    [InlineData(16, "Marlin")]
    [InlineData(17, "TrtLlm")]
    [InlineData(100_000, "Cutlass")]
    public void Backend_for_a_count_is_its_steps(int tokens, string backend)
    {
        var plan = new Plan([new PlanStep(16, "Marlin"), new PlanStep(64, "TrtLlm"), new PlanStep(int.MaxValue, "Cutlass")]);
        Assert.Equal(backend, plan.BackendFor(tokens));
    }

    [Fact]
    public void One_backend_plans_are_equal_by_value_and_not_hybrid()
    {
        Assert.Equal(Plan.OneBackend("Marlin"), Plan.FromBuckets(new Dictionary<int, string> { [1] = "Marlin", [16384] = "Marlin" }));
        Assert.False(Plan.OneBackend("Marlin").IsHybrid);
        Assert.NotEqual(Plan.OneBackend("Marlin"), Plan.OneBackend("TrtLlm"));
    }

    [Fact]
    public void Malformed_plans_are_refused_with_the_reason()
    {
        Assert.Contains("increasing", Assert.Throws<ArgumentException>(() => new Plan([new PlanStep(64, "A"), new PlanStep(16, "B"), new PlanStep(int.MaxValue, "C")])).Message, StringComparison.Ordinal);
        Assert.Contains("last step", Assert.Throws<ArgumentException>(() => new Plan([new PlanStep(64, "A")])).Message, StringComparison.Ordinal);
        Assert.Contains("merge", Assert.Throws<ArgumentException>(() => new Plan([new PlanStep(64, "A"), new PlanStep(int.MaxValue, "A")])).Message, StringComparison.Ordinal);
        Assert.Contains("no backend", Assert.Throws<ArgumentException>(() => Plan.OneBackend(" ")).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new Plan([]));
    }
}
