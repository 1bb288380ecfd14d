namespace MoeTune.Tuning.Tests.Policies;

/// <summary>A clock that only moves when a synthetic sampler says time passed: runs are exact and instant.</summary>
internal sealed class SyntheticClock : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _ticks;

    public void Advance(double microseconds) => _ticks += (long)Math.Round(microseconds * TimeSpan.TicksPerMillisecond / 1000.0);
}
