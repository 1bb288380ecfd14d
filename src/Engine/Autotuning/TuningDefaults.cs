using MoeTune.Abstractions.Devices;
using MoeTune.Reference.Synthetic;
using MoeTune.Tuning;

namespace MoeTune.Engine.Autotuning;

/// <summary>The tuner's defaults, in one place so that the CLI, the library and the docs agree.</summary>
public static class TuningDefaults
{
    /// <summary>
    /// Timing routing: mildly skewed (Zipf, s = 0.5), as trained routers with load balancing are: the hottest of 128
    /// experts gets about 5% of the slots against 0.8% for uniform. Fixed seed, so reruns time the same inputs.
    /// </summary>
    public static RoutingDistribution Routing { get; } = RoutingDistribution.Zipf(0.5);

    public const int Seed = 20240607;

    /// <summary>
    /// What a probe child may spend besides its candidate budget: starting the runtime, loading the plugins, reading
    /// the weights, compiling the candidate's kernels on a cold cache (the slow part) and preparing the layer.
    /// </summary>
    public static TimeSpan ProbeAllowance { get; } = TimeSpan.FromSeconds(180);

    /// <summary>A probe child's default wall-clock limit: the candidate budget plus <see cref="ProbeAllowance"/>.</summary>
    public static TimeSpan ProbeTimeout(MeasurementPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy.CandidateBudget + ProbeAllowance;
    }

    /// <summary>
    /// The buckets tuned when none are given: all of them on a GPU; on the CPU only the decode range up to 64 tokens,
    /// because the Reference backend is a float64 oracle and timing it at prefill sizes would take minutes per bucket.
    /// </summary>
    public static IReadOnlyList<int> BucketsFor(DeviceKind kind) =>
        kind == DeviceKind.Cuda ? TokenBuckets.All : [.. TokenBuckets.All.Where(b => b <= 64)];
}
