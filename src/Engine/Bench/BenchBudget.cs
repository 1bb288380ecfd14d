namespace MoeTune.Engine.Bench;

/// <summary>
/// Shares the run's wall-time budget among the measurements still to come: each gets what is left divided by how many
/// remain, within bounds. Work that is not a measurement (weight generation, preparation, the gate) and measurements
/// that converge early both move the share, so the run ends near its budget whatever the mix.
/// </summary>
internal sealed class BenchBudget
{
    /// <summary>The least a measurement gets even when the budget is spent: enough for a pilot and a few samples.</summary>
    public static readonly TimeSpan MinShare = TimeSpan.FromMilliseconds(40);

    /// <summary>The most one measurement gets: beyond it more samples do not sharpen a median that the stop rule accepts.</summary>
    public static readonly TimeSpan MaxShare = TimeSpan.FromSeconds(3);

    private readonly TimeSpan _total;
    private readonly TimeProvider _clock;
    private readonly long _start;
    private int _remaining;

    public BenchBudget(TimeSpan total, int measurements, TimeProvider clock)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(measurements);
        _total = total;
        _clock = clock;
        _start = clock.GetTimestamp();
        _remaining = measurements;
    }

    public TimeSpan Elapsed => _clock.GetElapsedTime(_start);

    public int Remaining => _remaining;

    /// <summary>The budget of the next measurement, which is then counted as taken.</summary>
    public TimeSpan Next()
    {
        var left = _total - Elapsed;
        var share = left / Math.Max(1, _remaining);
        _remaining = Math.Max(0, _remaining - 1);
        return share < MinShare ? MinShare : share > MaxShare ? MaxShare : share;
    }

    /// <summary>Forgets <paramref name="count"/> measurements that will not run (a backend that failed to prepare).</summary>
    public void Forgo(int count) => _remaining = Math.Max(0, _remaining - count);
}
