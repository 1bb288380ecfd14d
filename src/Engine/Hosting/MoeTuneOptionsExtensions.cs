using MoeTune.Engine.Autotuning;
using MoeTune.Tuning;

namespace MoeTune.Engine.Hosting;

internal static class MoeTuneOptionsExtensions
{
    /// <summary>The tuner settings the options stand for.</summary>
    public static TuneSettings ToTuneSettings(this MoeTuneOptions options) => new()
    {
        Objective = options.Objective,
        Buckets = options.TuneBuckets.Count > 0 ? [.. options.TuneBuckets.Distinct().Order()] : null,
        Policy = MeasurementPolicy.Default with { CandidateBudget = options.TuneBudgetPerCandidate },
        AllowHybrid = options.AllowHybrid,
        Isolation = options.IsolateCandidates,
        ProbeTimeout = options.ProbeTimeout,
    };
}
