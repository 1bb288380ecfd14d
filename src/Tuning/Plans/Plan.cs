using System.Globalization;

namespace MoeTune.Tuning;

/// <summary>One step of a plan: its backend runs every token count above the previous step's limit up to and including <see cref="UpToTokens"/>.</summary>
public sealed record PlanStep(int UpToTokens, string Backend);

/// <summary>
/// Which backend runs a forward of T tokens: one backend for every T, or a hybrid with one backend per range of token
/// buckets. Each backend of a hybrid keeps its own prepared copy of the weights resident. Steps are in increasing
/// token order, adjacent steps name different backends, and the last step covers every larger count.
/// </summary>
public sealed record Plan
{
    public Plan(IReadOnlyList<PlanStep> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var error = FirstError(steps);
        if (error is not null)
        {
            throw new ArgumentException($"invalid plan: {error}", nameof(steps));
        }

        Steps = steps.ToArray();
    }

    public IReadOnlyList<PlanStep> Steps { get; }

    /// <summary>The distinct backends, in step order.</summary>
    public IReadOnlyList<string> Backends => Steps.Select(s => s.Backend).Distinct(StringComparer.Ordinal).ToArray();

    public bool IsHybrid => Steps.Count > 1;

    /// <summary>The plan that runs <paramref name="backend"/> for every token count.</summary>
    public static Plan OneBackend(string backend) => new([new PlanStep(int.MaxValue, backend)]);

    /// <summary>
    /// The plan that runs each bucket's backend for the counts that bucket stands for (those above the next smaller
    /// listed bucket), with runs of one backend merged and the largest bucket's backend also serving every larger count.
    /// </summary>
    public static Plan FromBuckets(IReadOnlyDictionary<int, string> backendByBucket)
    {
        ArgumentNullException.ThrowIfNull(backendByBucket);
        if (backendByBucket.Count == 0)
        {
            throw new ArgumentException("a plan needs at least one bucket", nameof(backendByBucket));
        }

        var steps = new List<PlanStep>();
        foreach (var (bucket, backend) in backendByBucket.OrderBy(p => p.Key))
        {
            if (steps.Count > 0 && string.Equals(steps[^1].Backend, backend, StringComparison.Ordinal))
            {
                steps[^1] = steps[^1] with { UpToTokens = bucket };
            }
            else
            {
                steps.Add(new PlanStep(bucket, backend));
            }
        }

        steps[^1] = steps[^1] with { UpToTokens = int.MaxValue };
        return new Plan(steps);
    }

    /// <summary>The backend that runs a forward of <paramref name="tokens"/> tokens.</summary>
    public string BackendFor(int tokens) => tokens >= 1
        ? Steps.First(s => tokens <= s.UpToTokens).Backend
        : throw new ArgumentOutOfRangeException(nameof(tokens), tokens, "a forward has at least one token");

    public bool Equals(Plan? other) => other is not null && Steps.SequenceEqual(other.Steps);

    public override int GetHashCode() => Steps.Aggregate(0, HashCode.Combine);

    /// <summary>"Marlin", or for a hybrid "1-64: Marlin, 65+: FlashInferCutlass".</summary>
    public override string ToString() => IsHybrid
        ? string.Join(", ", Steps.Select((s, i) => string.Create(
            CultureInfo.InvariantCulture,
            $"{(i == 0 ? 1 : Steps[i - 1].UpToTokens + 1)}{(s.UpToTokens == int.MaxValue ? "+" : $"-{s.UpToTokens}")}: {s.Backend}")))
        : Steps[0].Backend;

    private static string? FirstError(IReadOnlyList<PlanStep> steps)
    {
        if (steps.Count == 0) return "a plan needs at least one step";
        for (var i = 0; i < steps.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(steps[i].Backend)) return $"step {i} names no backend";
            if (steps[i].UpToTokens < 1) return $"step {i} ends at {steps[i].UpToTokens} tokens";
            if (i > 0 && steps[i].UpToTokens <= steps[i - 1].UpToTokens) return "steps must be in increasing token order";
            if (i > 0 && string.Equals(steps[i].Backend, steps[i - 1].Backend, StringComparison.Ordinal)) return $"steps {i - 1} and {i} both name {steps[i].Backend}; merge them";
        }

        return steps[^1].UpToTokens == int.MaxValue ? null : "the last step must cover every larger token count";
    }
}
