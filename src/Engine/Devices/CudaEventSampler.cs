using MoeTune.Abstractions.Backends;
using MoeTune.Cuda.Driver;

namespace MoeTune.Engine.Devices;

/// <summary>
/// Times forwards with CUDA events on the tuner's stream (DESIGN.md "Tuning"). For small token counts, where launch
/// overhead would dominate a host-driven loop, one forward per rotation set is captured into a CUDA graph and the
/// graph is replayed, as engines run decode; larger counts call Forward directly, rotating through the input sets.
/// </summary>
internal sealed class CudaEventSampler : IForwardSampler
{
    /// <summary>Token counts up to this are timed by graph replay.</summary>
    public const int GraphTokenLimit = 256;

    private readonly CudaStream _stream;
    private readonly IPreparedMoeLayer _layer;
    private readonly IReadOnlyList<ForwardTensors> _rotation;
    private readonly CudaEvent _start;
    private readonly CudaEvent _end;
    private readonly CudaGraph? _graph;
    private readonly CudaGraphExec? _exec;
    private int _next;

    private CudaEventSampler(CudaContext context, CudaStream stream, IPreparedMoeLayer layer, IReadOnlyList<ForwardTensors> rotation, bool useGraph)
    {
        _stream = stream;
        _layer = layer;
        _rotation = rotation;
        _start = CudaEvent.Create(context);
        _end = CudaEvent.Create(context);
        if (useGraph)
        {
            try
            {
                // One graph replays every rotation set once, so one launch is rotation.Count forwards.
                _graph = CudaGraph.Capture(stream, s =>
                {
                    foreach (var tensors in rotation)
                    {
                        layer.Forward(tensors.Args(s.Handle));
                    }
                });
                _exec = _graph.Instantiate();
            }
            catch
            {
                Dispose();
                throw;
            }
        }
    }

    public static CudaEventSampler WithGraph(CudaContext context, CudaStream stream, IPreparedMoeLayer layer, IReadOnlyList<ForwardTensors> rotation) =>
        new(context, stream, layer, rotation, useGraph: true);

    public static CudaEventSampler Direct(CudaContext context, CudaStream stream, IPreparedMoeLayer layer, IReadOnlyList<ForwardTensors> rotation) =>
        new(context, stream, layer, rotation, useGraph: false);

    public double Sample(int repetitions)
    {
        if (_exec is not null)
        {
            // Whole graph launches only; the time is scaled back to the repetitions asked for.
            var launches = (repetitions + _rotation.Count - 1) / _rotation.Count;
            _start.Record(_stream);
            for (var i = 0; i < launches; i++)
            {
                _exec.Launch(_stream);
            }

            _end.Record(_stream);
            _end.Synchronize();
            return CudaEvent.ElapsedMilliseconds(_start, _end) * 1000.0 * repetitions / ((double)launches * _rotation.Count);
        }

        _start.Record(_stream);
        for (var i = 0; i < repetitions; i++)
        {
            _layer.Forward(_rotation[_next].Args(_stream.Handle));
            _next = (_next + 1) % _rotation.Count;
        }

        _end.Record(_stream);
        _end.Synchronize();
        return CudaEvent.ElapsedMilliseconds(_start, _end) * 1000.0;
    }

    public void Dispose()
    {
        _exec?.Dispose();
        _graph?.Dispose();
        _end.Dispose();
        _start.Dispose();
    }
}
