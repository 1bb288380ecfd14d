using MoeTune.Abstractions.Problems;
using MoeTune.Engine.Autotuning;
using MoeTune.Models;
using MoeTune.Reference.Synthetic;
using MoeTune.Tuning;

namespace MoeTune.Engine.Bench;

/// <summary>
/// What <c>moetune bench</c> measures: each model in each weight format, on each backend, at each token count, under
/// each routing distribution and timing mode, within one wall-time budget for the whole run.
/// </summary>
public sealed record BenchRequest
{
    /// <summary>The models (presets or config.json files) whose MoE layer is benchmarked.</summary>
    public required IReadOnlyList<ModelSpec> Models { get; init; }

    /// <summary>Weight formats to run every model in; null runs each model in its own format.</summary>
    public IReadOnlyList<WeightFormat>? Formats { get; init; }

    /// <summary>Token counts: token buckets (powers of two up to 16384), so that the tuner's plan rules apply to them.</summary>
    public required IReadOnlyList<int> Tokens { get; init; }

    /// <summary>Backend names or aliases to run; null runs every registered backend.</summary>
    public IReadOnlyList<string>? Backends { get; init; }

    /// <summary>Routing distributions: uniform and the tuner's skewed Zipf by default.</summary>
    public IReadOnlyList<RoutingDistribution> Routings { get; init; } = [RoutingDistribution.Uniform, TuningDefaults.Routing];

    /// <summary>Timing modes; graph replay is dropped (and said so) on the CPU.</summary>
    public IReadOnlyList<TimingMode> Modes { get; init; } = [TimingMode.Graph, TimingMode.Eager];

    /// <summary>Wall time for the whole run: ceilings, weight generation, preparation and every measurement.</summary>
    public required TimeSpan Budget { get; init; }

    /// <summary>Seeds the weights, the inputs and the routing draws: reruns see the same data.</summary>
    public int Seed { get; init; } = TuningDefaults.Seed;

    /// <summary>Run the tuner's correctness gate before timing a backend; a backend that fails it is not timed.</summary>
    public bool CorrectnessGate { get; init; } = true;

    /// <summary>The tuner's measurement rules (pilot, warm-up, stop rules), so that bench and tune agree.</summary>
    public MeasurementPolicy Policy { get; init; } = TuneSettings.Default.Policy;

    /// <summary>The command line as typed, recorded in the report.</summary>
    public string CommandLine { get; init; } = "";

    /// <summary>Throws naming the first field that is out of range.</summary>
    public void Validate()
    {
        if (Models.Count == 0) throw new ArgumentException("bench needs at least one model");
        if (Tokens.Count == 0) throw new ArgumentException("bench needs at least one token count");
        if (Tokens.FirstOrDefault(t => !TokenBuckets.IsBucket(t), -1) is var bad and not -1)
        {
            throw new ArgumentException($"{bad} tokens is not a token bucket; use powers of two from {TokenBuckets.Smallest} to {TokenBuckets.Largest}");
        }

        if (Tokens.Distinct().Count() != Tokens.Count) throw new ArgumentException("a token count is listed twice");
        if (Routings.Count == 0) throw new ArgumentException("bench needs at least one routing distribution");
        if (Modes.Count == 0) throw new ArgumentException("bench needs at least one timing mode");
        if (Budget <= TimeSpan.Zero) throw new ArgumentException($"the budget must be positive, got {Budget}");
        Policy.Validate();
    }
}
