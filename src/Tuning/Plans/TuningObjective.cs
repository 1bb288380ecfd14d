namespace MoeTune.Tuning;

/// <summary>What a plan is chosen for (DESIGN.md "Tuning").</summary>
public enum TuningObjective
{
    /// <summary>
    /// Shortest time per forward, weighted toward decode: a weighted geometric mean of the median times, buckets up to
    /// <see cref="TuningObjectives.DecodeBucketLimit"/> tokens (decode and small batches, where a user waits on every
    /// step) weighing 1 and larger ones <see cref="TuningObjectives.PrefillWeight"/>, so that prefill counts but cannot
    /// outvote decode. A geometric mean, so a 10% gain counts the same at 1 token as at 16384.
    /// </summary>
    Latency,

    /// <summary>
    /// Most tokens per second at large batches: the geometric mean of microseconds per token over the buckets of at
    /// least <see cref="TuningObjectives.ThroughputBucketFloor"/> tokens (the largest measured bucket where none is
    /// that large).
    /// </summary>
    Throughput,

    /// <summary>
    /// Least device memory (prepared weights plus workspaces) among the single-backend plans whose latency cost is
    /// within <see cref="PlanOptions.MemorySlowdownBound"/> of the fastest: the memory left for the KV cache, at a
    /// bounded price in speed.
    /// </summary>
    Memory,
}

/// <summary>Names and bucket weights of <see cref="TuningObjective"/>.</summary>
public static class TuningObjectives
{
    /// <summary>The largest bucket that <see cref="TuningObjective.Latency"/> counts at full weight.</summary>
    public const int DecodeBucketLimit = 64;

    /// <summary>The weight <see cref="TuningObjective.Latency"/> gives buckets above <see cref="DecodeBucketLimit"/>.</summary>
    public const double PrefillWeight = 0.25;

    /// <summary>The smallest bucket <see cref="TuningObjective.Throughput"/> counts.</summary>
    public const int ThroughputBucketFloor = 1024;

    public static IReadOnlyList<TuningObjective> All { get; } = [TuningObjective.Latency, TuningObjective.Throughput, TuningObjective.Memory];

    /// <summary>The lower-case name used by the store, the JSON export and the command line.</summary>
    public static string ToName(this TuningObjective objective) => objective switch
    {
        TuningObjective.Latency => "latency",
        TuningObjective.Throughput => "throughput",
        TuningObjective.Memory => "memory",
        _ => throw new ArgumentOutOfRangeException(nameof(objective), objective, "unknown tuning objective"),
    };

    public static bool TryParse(string? text, out TuningObjective objective)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.ToName(), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                objective = candidate;
                return true;
            }
        }

        objective = default;
        return false;
    }

    public static TuningObjective Parse(string text) => TryParse(text, out var objective)
        ? objective
        : throw new FormatException($"unknown tuning objective '{text}'; valid: {string.Join(", ", All.Select(o => o.ToName()))}");

    /// <summary>
    /// The weight of <paramref name="bucket"/> in the time cost of <paramref name="objective"/>, given every bucket that
    /// was measured (Throughput falls back to the largest of them). <see cref="TuningObjective.Memory"/> judges speed
    /// by the latency weights.
    /// </summary>
    public static double BucketWeight(this TuningObjective objective, int bucket, IReadOnlyCollection<int> measuredBuckets)
    {
        ArgumentNullException.ThrowIfNull(measuredBuckets);
        return objective switch
        {
            TuningObjective.Latency or TuningObjective.Memory => bucket <= DecodeBucketLimit ? 1.0 : PrefillWeight,
            TuningObjective.Throughput => measuredBuckets.Any(b => b >= ThroughputBucketFloor)
                ? (bucket >= ThroughputBucketFloor ? 1.0 : 0.0)
                : (bucket == measuredBuckets.Max() ? 1.0 : 0.0),
            _ => throw new ArgumentOutOfRangeException(nameof(objective), objective, "unknown tuning objective"),
        };
    }
}
