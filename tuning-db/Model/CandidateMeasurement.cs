using System.Globalization;
using MoeTune.Abstractions.Problems;
using MoeTune.Tuning;

namespace MoeTune.TuningDb;

/// <summary>
/// Everything measured about one candidate backend for one problem on one GPU class: its identity, outcome (with the
/// error or the reason where it is not <see cref="CandidateOutcome.Ok"/>), the correctness gate's relative Frobenius
/// error, its memory, its timings per bucket, and when and by which MoeTune version it was measured. The store keeps
/// one per (GPU class, problem, backend); a newer one replaces it.
/// </summary>
public sealed record CandidateMeasurement
{
    public required GpuClass Gpu { get; init; }

    /// <summary>The driver the timings were taken under.</summary>
    public required string DriverVersion { get; init; }

    public required MoeShape Problem { get; init; }

    public required PluginKey Plugin { get; init; }

    public required CandidateOutcome Outcome { get; init; }

    /// <summary>The error (Failed), the reason (Unsupported) or the gate's finding (Incorrect); empty for Ok.</summary>
    public string Detail { get; init; } = "";

    /// <summary>Relative Frobenius error against the CPU reference; null where the gate did not run.</summary>
    public double? CorrectnessError { get; init; }

    public long WeightBytes { get; init; }

    public long WorkspaceBytes { get; init; }

    public IReadOnlyList<BucketTiming> Buckets { get; init; } = [];

    public required DateTimeOffset MeasuredAt { get; init; }

    public required string ToolVersion { get; init; }

    /// <summary>The plan rules' view of this measurement: the median at each bucket.</summary>
    public CandidateResult ToCandidateResult() => new(
        Plugin.Backend,
        Outcome,
        Buckets.ToDictionary(b => b.Tokens, b => b.Statistics.Median),
        WeightBytes,
        WorkspaceBytes,
        Detail);

    /// <summary>Null where the measurement is consistent, else the first problem found.</summary>
    public string? FirstError()
    {
        var c = CultureInfo.InvariantCulture;
        if (BackendNames.Check(Plugin.Backend) is { } name) return name;
        if (string.IsNullOrWhiteSpace(Plugin.Version)) return $"{Plugin.Backend}: the plugin version is empty";
        if (string.IsNullOrWhiteSpace(Plugin.KernelSourceHash)) return $"{Plugin.Backend}: the kernel source hash is empty";
        if (string.IsNullOrWhiteSpace(ToolVersion)) return $"{Plugin.Backend}: the tool version is empty";
        if (WeightBytes < 0 || WorkspaceBytes < 0) return string.Create(c, $"{Plugin.Backend}: byte counts must not be negative ({WeightBytes}, {WorkspaceBytes})");
        if (CorrectnessError is { } e && (!double.IsFinite(e) || e < 0)) return string.Create(c, $"{Plugin.Backend}: correctness error {e} must be finite and not negative");
        if (Buckets.Select(b => b.Tokens).Distinct().Count() != Buckets.Count) return $"{Plugin.Backend}: a bucket is listed twice";
        return Outcome switch
        {
            CandidateOutcome.Ok when Buckets.Count == 0 => $"{Plugin.Backend}: an ok measurement needs at least one bucket",
            CandidateOutcome.Ok when Buckets.Any(b => b.Statistics.Median <= 0) => $"{Plugin.Backend}: an ok measurement needs positive median times",
            not CandidateOutcome.Ok when string.IsNullOrWhiteSpace(Detail) => $"{Plugin.Backend}: a {Outcome.ToString().ToLowerInvariant()} measurement needs its error or reason",
            _ => null,
        };
    }
}
