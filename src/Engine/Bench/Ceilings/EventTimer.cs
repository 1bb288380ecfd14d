using MoeTune.Cuda.Driver;

namespace MoeTune.Engine.Bench.Ceilings;

/// <summary>
/// A sampler for <see cref="Tuning.MeasurementRunner"/> over arbitrary stream work: CUDA events around
/// <c>repetitions</c> enqueues on the device's stream, the same clock the forward sampler uses.
/// </summary>
internal sealed class EventTimer : IDisposable
{
    private readonly CudaEvent _start;
    private readonly CudaEvent _end;
    private readonly nint _stream;
    private readonly Action<nint> _enqueue;

    public EventTimer(CudaContext context, nint stream, Action<nint> enqueue)
    {
        _stream = stream;
        _enqueue = enqueue;
        _start = CudaEvent.Create(context);
        try
        {
            _end = CudaEvent.Create(context);
        }
        catch
        {
            _start.Dispose();
            throw;
        }
    }

    /// <summary>Runs the work <paramref name="repetitions"/> times; returns their device time in µs.</summary>
    public double Sample(int repetitions)
    {
        _start.Record(_stream);
        for (var i = 0; i < repetitions; i++)
        {
            _enqueue(_stream);
        }

        _end.Record(_stream);
        _end.Synchronize();
        return CudaEvent.ElapsedMilliseconds(_start, _end) * 1000.0;
    }

    public void Dispose()
    {
        _end.Dispose();
        _start.Dispose();
    }
}
