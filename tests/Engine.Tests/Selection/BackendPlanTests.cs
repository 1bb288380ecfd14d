using MoeTune.Engine.Selection;

namespace MoeTune.Engine.Tests.Selection;

public sealed class BackendPlanTests
{
    [Fact]
    public void Hybrid_plan_maps_each_token_count_to_its_step()
    {
        var plan = new BackendPlan([new PlanStep(8, "A"), new PlanStep(256, "B"), new PlanStep(int.MaxValue, "A")]);

        Assert.Equal("A", plan.BackendFor(1));
        Assert.Equal("A", plan.BackendFor(8));
        Assert.Equal("B", plan.BackendFor(9));
        Assert.Equal("B", plan.BackendFor(256));
        Assert.Equal("A", plan.BackendFor(100_000));
        Assert.Equal(["A", "B"], plan.Backends);
        Assert.True(plan.IsHybrid);
        Assert.Equal("1-8: A, 9-256: B, 257+: A", plan.ToString());
    }

    [Fact]
    public void Plans_compare_by_their_steps()
    {
        Assert.Equal(BackendPlan.Uniform("A"), new BackendPlan([new PlanStep(int.MaxValue, "A")]));
        Assert.NotEqual(BackendPlan.Uniform("A"), BackendPlan.Uniform("B"));
    }

    [Fact]
    public void Plans_that_leave_token_counts_uncovered_or_are_unordered_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new BackendPlan([new PlanStep(8, "A")]));
        Assert.Throws<ArgumentException>(() => new BackendPlan([new PlanStep(8, "A"), new PlanStep(4, "B"), new PlanStep(int.MaxValue, "A")]));
        Assert.Throws<ArgumentException>(() => new BackendPlan([]));
    }
}
