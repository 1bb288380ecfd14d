using MoeTune.Gpu.Tests.Infrastructure;

namespace MoeTune.Gpu.Tests.Reliability;

/// <summary>The soak's token counts (no GPU needed): in range, reproducible, with the warm-up covering every path first.</summary>
[Trait(SuiteTraits.Part, SuiteTraits.Reliability)]
public sealed class SoakScheduleTests
{
    [Fact]
    public void Soak_counts_are_uniform_in_range_with_the_maximum_at_its_interval()
    {
        var counts = SoakSchedule.Soak(new Random(7), 10_000, 256, atMaxEvery: 1_000);

        Assert.Equal(10_000, counts.Length);
        Assert.All(counts, t => Assert.InRange(t, 1, 256));
        Assert.All(Enumerable.Range(0, 10).Select(k => counts[k * 1_000]), t => Assert.Equal(256, t));
        Assert.Contains(1, counts);
        Assert.InRange(counts.Average(), 118, 139);
    }

    [Fact]
    public void The_same_seed_gives_the_same_counts()
    {
        Assert.Equal(SoakSchedule.Soak(new Random(3), 500, 256, 100), SoakSchedule.Soak(new Random(3), 500, 256, 100));
        Assert.NotEqual(SoakSchedule.Soak(new Random(3), 500, 256, 100), SoakSchedule.Soak(new Random(4), 500, 256, 100));
    }

    [Fact]
    public void The_warmup_runs_every_small_count_and_the_maximum_first()
    {
        var counts = SoakSchedule.Warmup(new Random(1), 200, 256);

        Assert.Equal(200, counts.Length);
        Assert.Equal([.. Enumerable.Range(1, SoakSchedule.SmallCounts), 256], counts[..(SoakSchedule.SmallCounts + 1)]);
        Assert.All(counts, t => Assert.InRange(t, 1, 256));
    }

    [Fact]
    public void A_warmup_too_short_for_its_fixed_counts_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SoakSchedule.Warmup(new Random(1), 10, 256));
}
