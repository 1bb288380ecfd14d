using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Tensors;
using MoeTune.Cuda.Driver;

namespace MoeTune.Gpu.Tests.Infrastructure;

/// <summary>The device tensors of one layer forward at <paramref name="tokens"/> tokens, allocated once and refilled per round.</summary>
public sealed class ForwardTensors(CudaContext context, MoeShape shape, int tokens) : IDisposable
{
    public DeviceBuffer Hidden { get; } = DeviceBuffer.Allocate<ushort>(context, (long)tokens * shape.Hidden);

    public DeviceBuffer Ids { get; } = DeviceBuffer.Allocate<int>(context, (long)tokens * shape.TopK);

    public DeviceBuffer Weights { get; } = DeviceBuffer.Allocate<float>(context, (long)tokens * shape.TopK);

    public DeviceBuffer Output { get; } = DeviceBuffer.Allocate<ushort>(context, (long)tokens * shape.Hidden);

    public MoeForwardArgs Args(nint stream) => Args(stream, tokens);

    /// <summary>A forward of the first <paramref name="rows"/> tokens (at most those allocated).</summary>
    public MoeForwardArgs Args(nint stream, int rows)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, tokens);
        return new(
            rows,
            Hidden.AsTensor(DType.Bf16, rows, shape.Hidden),
            Ids.AsTensor(DType.I32, rows, shape.TopK),
            Weights.AsTensor(DType.F32, rows, shape.TopK),
            Output.AsTensor(DType.Bf16, rows, shape.Hidden),
            stream);
    }

    public void Upload(ushort[] hidden, int[] ids, float[] weights)
    {
        Hidden.Upload<ushort>(hidden);
        Ids.Upload<int>(ids);
        Weights.Upload<float>(weights);
    }

    /// <summary>Poisons the output, runs the layer and returns what it wrote.</summary>
    public ushort[] Forward(IPreparedMoeLayer layer, CudaStream stream)
    {
        ArgumentNullException.ThrowIfNull(layer);
        Output.FillAsync(Poison.Bf16, stream);
        layer.Forward(Args(stream.Handle));
        StreamWatchdog.Synchronize(stream, $"a forward of {shape.CanonicalText} at T={tokens}");
        return Output.Download<ushort>();
    }

    public void Dispose()
    {
        Output.Dispose();
        Weights.Dispose();
        Ids.Dispose();
        Hidden.Dispose();
    }
}
