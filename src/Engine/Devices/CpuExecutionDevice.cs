using System.Diagnostics;
using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;

namespace MoeTune.Engine.Devices;

/// <summary>The host CPU: host memory, synchronous forwards, wall-clock timing.</summary>
internal sealed class CpuExecutionDevice : IExecutionDevice
{
    public DeviceInfo Info => DeviceInfo.HostCpu;

    public nint Stream => 0;

    public ForwardTensors AllocateTensors(MoeShape shape, int tokens) => new HostForwardTensors(shape, tokens);

    public PrepareContext PrepareContext(int maxTokens) => new(Info, maxTokens);

    public void Synchronize()
    {
    }

    public IForwardSampler CreateSampler(IPreparedMoeLayer layer, IReadOnlyList<ForwardTensors> rotation, bool? graphReplay = null) =>
        graphReplay == true
            ? throw new NotSupportedException("the CPU has no CUDA graphs to replay; time CPU forwards with direct calls")
            : new StopwatchSampler(layer, rotation);

    public void Dispose()
    {
    }

    /// <summary>CPU forwards are synchronous, so the stopwatch around them is the forward time.</summary>
    private sealed class StopwatchSampler(IPreparedMoeLayer layer, IReadOnlyList<ForwardTensors> rotation) : IForwardSampler
    {
        private int _next;

        public double Sample(int repetitions)
        {
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < repetitions; i++)
            {
                layer.Forward(rotation[_next].Args(0));
                _next = (_next + 1) % rotation.Count;
            }

            return Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        public void Dispose()
        {
        }
    }
}
