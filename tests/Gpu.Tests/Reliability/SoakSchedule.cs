namespace MoeTune.Gpu.Tests.Reliability;

/// <summary>The token counts the soak's forwards get, drawn from the test's seeded generator.</summary>
internal static class SoakSchedule
{
    /// <summary>The largest token count the warm-up runs one by one: the backends' small-batch (decode) range.</summary>
    public const int SmallCounts = 16;

    /// <summary>
    /// <paramref name="count"/> warm-up counts: 1 to <see cref="SmallCounts"/> and <paramref name="maxTokens"/> once each,
    /// then uniform draws, so that every kernel path the soak can take has run (and been loaded) before memory is measured.
    /// </summary>
    public static int[] Warmup(Random random, int count, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(random);
        int[] fixedCounts = [.. Enumerable.Range(1, Math.Min(SmallCounts, maxTokens)), maxTokens];
        ArgumentOutOfRangeException.ThrowIfLessThan(count, fixedCounts.Length);
        return [.. fixedCounts, .. Uniform(random, count - fixedCounts.Length, maxTokens)];
    }

    /// <summary><paramref name="count"/> counts uniform in [1, <paramref name="maxTokens"/>], every <paramref name="atMaxEvery"/>-th (from the first) at the maximum.</summary>
    public static int[] Soak(Random random, int count, int maxTokens, int atMaxEvery)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(atMaxEvery);
        var counts = Uniform(random, count, maxTokens);
        for (var i = 0; i < counts.Length; i += atMaxEvery)
        {
            counts[i] = maxTokens;
        }

        return counts;
    }

    private static int[] Uniform(Random random, int count, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxTokens);
        return [.. Enumerable.Range(0, count).Select(_ => random.Next(1, maxTokens + 1))];
    }
}
