namespace MoeTune.Engine.Bench.Comparison;

/// <summary>What identifies a timing across runs (on one GPU): the problem's shape signature, the backend, T, routing and mode.</summary>
public sealed record PointKey(string Shape, string Backend, int Tokens, string Routing, TimingMode Mode);

/// <summary>One measured timing as a comparison needs it: where it belongs, the problem's label for people, and its median and quartiles (µs).</summary>
public sealed record ComparablePoint(string Problem, PointKey Key, double Median, double LowerQuartile, double UpperQuartile)
{
    /// <summary>IQR over median: this run's own noise at this point.</summary>
    public double RelativeIqr => NoiseRule.RelativeIqr(Median, LowerQuartile, UpperQuartile);
}
