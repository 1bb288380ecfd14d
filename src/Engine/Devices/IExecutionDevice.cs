using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;

namespace MoeTune.Engine.Devices;

/// <summary>
/// One device opened for running layers: the CPU, or a CUDA GPU with its context current on the opening thread and
/// the tuner's own stream. Everything the tuner and the command line do with memory and time goes through it, so the
/// same driver code runs the Reference backend in CI and the CUDA backends on a GPU.
/// </summary>
public interface IExecutionDevice : IDisposable
{
    DeviceInfo Info { get; }

    /// <summary>The stream forwards are enqueued on (a CUstream; 0 for the CPU).</summary>
    nint Stream { get; }

    /// <summary>Allocates the tensors of one forward of <paramref name="tokens"/> tokens in this device's memory.</summary>
    ForwardTensors AllocateTensors(MoeShape shape, int tokens);

    /// <summary>What <see cref="IMoeBackend.Prepare"/> needs to prepare a layer here.</summary>
    PrepareContext PrepareContext(int maxTokens);

    /// <summary>Waits until every forward enqueued on <see cref="Stream"/> finished (and surfaces its errors).</summary>
    void Synchronize();

    /// <summary>
    /// A timer for <paramref name="layer"/> that runs it over <paramref name="rotation"/> (input sets used in turn so
    /// that caches do not flatter), for <see cref="MoeTune.Tuning.MeasurementRunner"/>. <paramref name="graphReplay"/>
    /// forces CUDA-graph replay (true) or direct calls (false), as <c>moetune bench</c> times both; null leaves the
    /// choice to the device (the tuner's way). The CPU has no graphs: true is refused there.
    /// </summary>
    IForwardSampler CreateSampler(IPreparedMoeLayer layer, IReadOnlyList<ForwardTensors> rotation, bool? graphReplay = null);
}

/// <summary>Times forwards: <see cref="Sample"/> runs <c>repetitions</c> forwards and returns their total device time in µs.</summary>
public interface IForwardSampler : IDisposable
{
    double Sample(int repetitions);
}
