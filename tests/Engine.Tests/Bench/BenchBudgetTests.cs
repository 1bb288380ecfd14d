using MoeTune.Engine.Bench;

namespace MoeTune.Engine.Tests.Bench;

public sealed class BenchBudgetTests
{
    [Fact]
    public void Each_measurement_gets_what_is_left_over_what_remains()
    {
        var clock = new ManualClock();
        var budget = new BenchBudget(TimeSpan.FromSeconds(10), 5, clock);

        Assert.Equal(TimeSpan.FromSeconds(2), budget.Next());
        clock.Advance(TimeSpan.FromSeconds(1)); // the first finished early: the rest share more
        Assert.Equal(TimeSpan.FromSeconds(9.0 / 4), budget.Next());
        budget.Forgo(2); // a backend failed to prepare: its timings' time goes to the last one
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(BenchBudget.MaxShare, budget.Next());
        Assert.Equal(0, budget.Remaining);
    }

    [Fact]
    public void A_spent_budget_still_gives_the_minimum_share()
    {
        var clock = new ManualClock();
        var budget = new BenchBudget(TimeSpan.FromSeconds(1), 3, clock);
        clock.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(BenchBudget.MinShare, budget.Next());
    }

    /// <summary>A clock that moves only when told.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
