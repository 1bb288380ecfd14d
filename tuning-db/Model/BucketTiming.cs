using System.Globalization;
using MoeTune.Tuning;

namespace MoeTune.TuningDb;

/// <summary>One candidate's samples at one token bucket (µs per call) and their statistics, which are derived, never stored apart.</summary>
public sealed record BucketTiming
{
    public BucketTiming(int tokens, int repetitions, IReadOnlyList<double> samplesMicroseconds)
    {
        ArgumentNullException.ThrowIfNull(samplesMicroseconds);
        if (!TokenBuckets.IsBucket(tokens))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{tokens} tokens is not a bucket (1, 2, 4, … {TokenBuckets.Largest})"));
        }

        if (repetitions < 1)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"repetitions must be at least 1, got {repetitions}"));
        }

        Tokens = tokens;
        Repetitions = repetitions;
        SamplesMicroseconds = samplesMicroseconds.ToArray();
        Statistics = SampleStatistics.Of(SamplesMicroseconds);
    }

    public int Tokens { get; }

    /// <summary>Calls each sample spanned (the pilot's choice).</summary>
    public int Repetitions { get; }

    public IReadOnlyList<double> SamplesMicroseconds { get; }

    public SampleStatistics Statistics { get; }

    /// <summary>The actual stage of <paramref name="measurement"/> at <paramref name="tokens"/> tokens.</summary>
    public static BucketTiming From(int tokens, Measurement measurement)
    {
        ArgumentNullException.ThrowIfNull(measurement);
        return new BucketTiming(tokens, measurement.Repetitions, measurement.SamplesMicroseconds);
    }

    public bool Equals(BucketTiming? other) =>
        other is not null && Tokens == other.Tokens && Repetitions == other.Repetitions && SamplesMicroseconds.SequenceEqual(other.SamplesMicroseconds);

    public override int GetHashCode() => HashCode.Combine(Tokens, Repetitions, SamplesMicroseconds.Count);
}
