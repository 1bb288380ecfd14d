using MoeTune.Cuda.Ceilings;
using MoeTune.Cuda.Driver;

namespace MoeTune.Tools.KernelTimer;

/// <summary>
/// Times graph replays with CUDA events, one pair around each replay. Replays are queued in batches behind a few
/// read sweeps of a large buffer, so the GPU runs them back to back while the CPU is still queueing: no launch gap or
/// host latency lands inside a sample.
/// </summary>
internal sealed class ForwardTimer(CudaContext context, CudaStream stream, CeilingModule ceilings, DeviceBuffer busy) : IDisposable
{
    private const int Batch = 50;
    private const int BusyReads = 4;
    private const int WarmupRounds = 3;

    private readonly List<CudaEvent> events = Enumerable.Range(0, 2 * Batch).Select(_ => CudaEvent.Create(context)).ToList();

    /// <summary>Microseconds of each of <paramref name="samples"/> replays, rotating over <paramref name="sets"/>; sample i used set i mod count.</summary>
    public double[] Time(IReadOnlyList<InputSet> sets, int samples)
    {
        for (var round = 0; round < WarmupRounds; round++)
        {
            foreach (var set in sets)
            {
                set.Replay.Launch(stream);
            }
        }

        stream.Synchronize();
        var result = new double[samples];
        for (var first = 0; first < samples; first += Batch)
        {
            var count = Math.Min(Batch, samples - first);
            for (var i = 0; i < BusyReads; i++)
            {
                ceilings.Read(busy, stream.Handle);
            }

            for (var i = 0; i < count; i++)
            {
                events[2 * i].Record(stream);
                sets[(first + i) % sets.Count].Replay.Launch(stream);
                events[(2 * i) + 1].Record(stream);
            }

            stream.Synchronize();
            for (var i = 0; i < count; i++)
            {
                result[first + i] = 1000.0 * CudaEvent.ElapsedMilliseconds(events[2 * i], events[(2 * i) + 1]);
            }
        }

        return result;
    }

    /// <summary>Bytes per second one read sweep of the busy buffer achieves (median of ten).</summary>
    public double ReadBandwidth()
    {
        ceilings.Read(busy, stream.Handle);
        stream.Synchronize();
        var times = new double[10];
        for (var i = 0; i < times.Length; i++)
        {
            events[0].Record(stream);
            ceilings.Read(busy, stream.Handle);
            events[1].Record(stream);
            stream.Synchronize();
            times[i] = CudaEvent.ElapsedMilliseconds(events[0], events[1]) / 1000.0;
        }

        return busy.Bytes / Statistics.Median(times);
    }

    public void Dispose()
    {
        foreach (var e in events)
        {
            e.Dispose();
        }
    }
}
