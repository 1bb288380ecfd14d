using MoeTune.Tuning;

namespace MoeTune.Engine.Bench;

/// <summary>
/// One timing as the report keeps it: every sample (µs per call) and the robust statistics the tuner uses, with why the
/// measurement stopped and whether it reached a steady state.
/// </summary>
public sealed record TimingSummary(
    double MedianMicroseconds,
    double LowerQuartileMicroseconds,
    double UpperQuartileMicroseconds,
    double MinMicroseconds,
    double MaxMicroseconds,
    double RelativeSpread,
    double RelativeMedianError,
    int Repetitions,
    bool Steady,
    string Stop,
    IReadOnlyList<double> SamplesMicroseconds)
{
    public static TimingSummary From(Measurement measurement)
    {
        ArgumentNullException.ThrowIfNull(measurement);
        var s = measurement.Statistics;
        return new TimingSummary(
            s.Median, s.LowerQuartile, s.UpperQuartile, s.Min, s.Max, s.RelativeSpread, s.RelativeMedianError,
            measurement.Repetitions, measurement.ReachedSteadyState, measurement.Stop.Explanation, measurement.SamplesMicroseconds);
    }
}
