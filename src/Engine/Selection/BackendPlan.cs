using System.Globalization;

namespace MoeTune.Engine.Selection;

/// <summary>One step of a plan: the backend that runs every token count up to and including <see cref="UpToTokens"/>.</summary>
public sealed record PlanStep(int UpToTokens, string Backend);

/// <summary>
/// Which backend runs a forward of T tokens: one backend for every T, or a hybrid with one backend per range of
/// token buckets (DESIGN.md "Tuning"; each backend in a hybrid costs one prepared weight copy).
/// </summary>
public sealed record BackendPlan
{
    public BackendPlan(IReadOnlyList<PlanStep> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Count == 0)
        {
            throw new ArgumentException("a plan needs at least one step");
        }

        for (var i = 1; i < steps.Count; i++)
        {
            if (steps[i].UpToTokens <= steps[i - 1].UpToTokens)
            {
                throw new ArgumentException("plan steps must be in increasing token order");
            }
        }

        if (steps[^1].UpToTokens != int.MaxValue)
        {
            throw new ArgumentException("a plan's last step must cover every larger token count");
        }

        Steps = steps;
    }

    public IReadOnlyList<PlanStep> Steps { get; }

    /// <summary>The distinct backends, in step order.</summary>
    public IReadOnlyList<string> Backends => Steps.Select(s => s.Backend).Distinct(StringComparer.Ordinal).ToList();

    public bool IsHybrid => Backends.Count > 1;

    public static BackendPlan Uniform(string backend) => new([new PlanStep(int.MaxValue, backend)]);

    public string BackendFor(int tokens) => Steps.First(s => tokens <= s.UpToTokens).Backend;

    public override string ToString() => IsHybrid
        ? string.Join(", ", Steps.Select((s, i) => string.Create(CultureInfo.InvariantCulture,
            $"{(i == 0 ? 1 : Steps[i - 1].UpToTokens + 1)}{(s.UpToTokens == int.MaxValue ? "+" : $"-{s.UpToTokens}")}: {s.Backend}")))
        : Steps[0].Backend;

    public bool Equals(BackendPlan? other) => other is not null && Steps.SequenceEqual(other.Steps);

    public override int GetHashCode() => Steps.Aggregate(0, (h, s) => HashCode.Combine(h, s));
}
