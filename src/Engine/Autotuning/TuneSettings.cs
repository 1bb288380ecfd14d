using MoeTune.Abstractions.Devices;
using MoeTune.Reference.Synthetic;
using MoeTune.Tuning;

namespace MoeTune.Engine.Autotuning;

/// <summary>How to tune: the objective, the token buckets, the measurement rules and budget, and whether hybrids may win.</summary>
public sealed record TuneSettings
{
    public TuningObjective Objective { get; init; } = TuningObjective.Latency;

    /// <summary>Token buckets to time (powers of two from 1 to 16384); null for <see cref="TuningDefaults.BucketsFor"/> the device.</summary>
    public IReadOnlyList<int>? Buckets { get; init; }

    /// <summary>The measurement rules; <see cref="MeasurementPolicy.CandidateBudget"/> is each candidate's time budget.</summary>
    public MeasurementPolicy Policy { get; init; } = MeasurementPolicy.Default;

    /// <summary>Allow per-bucket plans, which keep one weight copy per backend.</summary>
    public bool AllowHybrid { get; init; }

    /// <summary>Measure every candidate again, even where the store holds a valid measurement.</summary>
    public bool Force { get; init; }

    /// <summary>The routing timings draw from (the gate's is always uniform).</summary>
    public RoutingDistribution Routing { get; init; } = TuningDefaults.Routing;

    /// <summary>Seeds the gate case and the timing inputs, so that reruns see the same data.</summary>
    public int Seed { get; init; } = TuningDefaults.Seed;

    /// <summary>Which candidates are measured in a child process (<c>moetune probe</c>), out of harm's way.</summary>
    public CandidateIsolation Isolation { get; init; } = CandidateIsolation.CudaPlugins;

    /// <summary>
    /// Wall-clock limit of one probe child, start to result; the child is killed (with its process tree) past it and
    /// the candidate fails. Null for <see cref="TuningDefaults.ProbeTimeout"/> of <see cref="Policy"/>.
    /// </summary>
    public TimeSpan? ProbeTimeout { get; init; }

    public static TuneSettings Default { get; } = new();

    /// <summary>The probe timeout in force: <see cref="ProbeTimeout"/>, else the default for the candidate budget.</summary>
    public TimeSpan EffectiveProbeTimeout => ProbeTimeout ?? TuningDefaults.ProbeTimeout(Policy);

    /// <summary>The buckets to time on a device of <paramref name="kind"/>.</summary>
    public IReadOnlyList<int> BucketsOn(DeviceKind kind) => Buckets ?? TuningDefaults.BucketsFor(kind);
}
