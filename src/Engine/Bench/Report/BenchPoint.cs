namespace MoeTune.Engine.Bench.Report;

/// <summary>What became of one timing.</summary>
public enum PointStatus
{
    Measured,

    /// <summary>The forward, the graph capture or the timing threw; <see cref="BenchPoint.Detail"/> is the error.</summary>
    Failed,

    /// <summary>Not attempted: an earlier error left the GPU unusable; the detail names it.</summary>
    NotRun,
}

/// <summary>
/// One backend timed at one token count, routing and mode, with what the time means against the roofline: achieved
/// weight bandwidth and FLOP rate, and efficiency (the floor over the median; 1 is the floor itself).
/// <see cref="WeightCopies"/> is how many prepared copies of the layer the timing cycled through (more than 1 only where
/// the weights one rotation touches would otherwise fit in L2).
/// </summary>
public sealed record BenchPoint(
    int Tokens,
    string Routing,
    TimingMode Mode,
    PointStatus Status,
    string Detail,
    int WeightCopies,
    TimingSummary? Timing,
    double? AchievedBytesPerSecond,
    double? AchievedFlopsPerSecond,
    double? Efficiency)
{
    public double? MedianMicroseconds => Timing?.MedianMicroseconds;
}
