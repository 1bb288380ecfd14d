using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Tensors;
using MoeTune.Cuda.Driver;
using MoeTune.Models;
using MoeTune.Reference.Formats;
using MoeTune.Reference.Routing;

namespace MoeTune.Tools.GemmTimer;

/// <summary>
/// One forward's inputs (N(0, 1) hidden states, the preset's own router over random logits) in device buffers, with the
/// layer's forward over them captured into a CUDA graph.
/// </summary>
internal sealed class InputSet : IDisposable
{
    private readonly DeviceBuffer[] buffers;
    private readonly CudaGraph graph;

    private InputSet(DeviceBuffer[] buffers, CudaGraph graph)
    {
        this.buffers = buffers;
        this.graph = graph;
        Replay = graph.Instantiate();
    }

    public CudaGraphExec Replay { get; }

    public static InputSet Create(CudaContext context, CudaStream stream, IPreparedMoeLayer layer, ModelSpec model, int tokens, Random random)
    {
        var shape = model.Shape;
        var logits = Normal(random, tokens * shape.Experts);
        var bias = model.Routing.UsesCorrectionBias ? Normal(random, shape.Experts).Select(b => b * 0.05f).ToArray() : [];
        var routing = ReferenceRouter.Route(model.Routing, logits, tokens, shape.Experts, shape.TopK, bias);
        var hidden = DeviceBuffer.FromHost<ushort>(context, Normal(random, tokens * shape.Hidden).Select(Bf16.FromFloat).ToArray());
        var ids = DeviceBuffer.FromHost<int>(context, routing.Ids);
        var weights = DeviceBuffer.FromHost<float>(context, routing.Weights);
        var output = DeviceBuffer.Allocate<ushort>(context, (long)tokens * shape.Hidden);
        var args = new MoeForwardArgs(
            tokens,
            hidden.AsTensor(DType.Bf16, tokens, shape.Hidden),
            ids.AsTensor(DType.I32, tokens, shape.TopK),
            weights.AsTensor(DType.F32, tokens, shape.TopK),
            output.AsTensor(DType.Bf16, tokens, shape.Hidden),
            stream.Handle);
        var graph = CudaGraph.Capture(stream, s => layer.Forward(args with { Stream = s.Handle }));
        return new InputSet([hidden, ids, weights, output], graph);
    }

    public void Dispose()
    {
        Replay.Dispose();
        graph.Dispose();
        foreach (var buffer in buffers) buffer.Dispose();
    }

    private static float[] Normal(Random random, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble())))];
}
