using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Tensors;
using MoeTune.Abstractions.Weights;
using MoeTune.Cuda.Driver;
using MoeTune.Models;
using MoeTune.Reference.Formats;
using MoeTune.Reference.Routing;
using MoeTune.Reference.Synthetic;

namespace MoeTune.Tools.KernelTimer;

/// <summary>
/// One forward's inputs (random hidden states; the preset's own router over random logits, or the benchmark's uniform
/// draw) in their own device buffers, with the layer's forward over them captured into a CUDA graph. The timer rotates
/// over several sets so that no replay finds the previous one's experts in L2.
/// </summary>
internal sealed class InputSet : IDisposable
{
    private readonly DeviceBuffer hidden;
    private readonly DeviceBuffer ids;
    private readonly DeviceBuffer weights;
    private readonly CudaGraph graph;

    private InputSet(DeviceBuffer hidden, DeviceBuffer ids, DeviceBuffer weights, DeviceBuffer output, CudaGraph graph, CudaGraphExec replay, int activeExperts, long activeBytes)
    {
        this.hidden = hidden;
        this.ids = ids;
        this.weights = weights;
        Output = output;
        this.graph = graph;
        Replay = replay;
        ActiveExperts = activeExperts;
        ActiveBytes = activeBytes;
    }

    public DeviceBuffer Output { get; }

    public CudaGraphExec Replay { get; }

    /// <summary>Distinct experts this set's routing uses.</summary>
    public int ActiveExperts { get; }

    /// <summary>Packed weights and scales of those experts: what any weight-streaming kernel must read at least once.</summary>
    public long ActiveBytes { get; }

    /// <summary>
    /// A set of <paramref name="tokens"/> random hidden states and their routing: the preset's router on random logits, or
    /// with <paramref name="uniformRouting"/> each token's experts drawn distinct and uniformly (the benchmark's
    /// <c>--routing uniform</c>).
    /// </summary>
    public static InputSet Create(
        CudaContext context, CudaStream stream, IPreparedMoeLayer layer, ModelSpec model, MoeWeights layerWeights, int tokens, bool uniformRouting, Random random)
    {
        var shape = model.Shape;
        var routing = uniformRouting
            ? SyntheticInputs.DrawRouting(RoutingDistribution.Uniform, tokens, shape.Experts, shape.TopK, random.Next())
            : ModelRouting(model, tokens, random);
        var values = Enumerable.Range(0, tokens * shape.Hidden).Select(_ => Bf16.FromFloat((float)(random.NextDouble() * 2.0 - 1.0))).ToArray();
        var active = routing.Ids.Distinct().ToArray();
        var activeBytes = active.Sum(e => layerWeights.Experts[e].W13.StoredBytes + layerWeights.Experts[e].W2.StoredBytes);

        var hidden = DeviceBuffer.FromHost<ushort>(context, values);
        var ids = DeviceBuffer.FromHost<int>(context, routing.Ids);
        var weights = DeviceBuffer.FromHost<float>(context, routing.Weights);
        var output = DeviceBuffer.Allocate<ushort>(context, (long)tokens * shape.Hidden);
        var args = new MoeForwardArgs(
            tokens,
            hidden.AsTensor(DType.Bf16, tokens, shape.Hidden),
            ids.AsTensor(DType.I32, tokens, shape.TopK),
            weights.AsTensor(DType.F32, tokens, shape.TopK),
            output.AsTensor(DType.Bf16, tokens, shape.Hidden));
        var graph = CudaGraph.Capture(stream, s => layer.Forward(args with { Stream = s.Handle }));
        return new InputSet(hidden, ids, weights, output, graph, graph.Instantiate(), active.Length, activeBytes);
    }

    private static RoutingResult ModelRouting(ModelSpec model, int tokens, Random random)
    {
        var shape = model.Shape;
        var logits = Enumerable.Range(0, tokens * shape.Experts).Select(_ => (float)(random.NextDouble() * 4.0 - 2.0)).ToArray();
        var bias = model.Routing.UsesCorrectionBias ? Enumerable.Range(0, shape.Experts).Select(_ => (float)(random.NextDouble() * 0.1)).ToArray() : [];
        return ReferenceRouter.Route(model.Routing, logits, tokens, shape.Experts, shape.TopK, bias);
    }

    public void Dispose()
    {
        Replay.Dispose();
        graph.Dispose();
        Output.Dispose();
        weights.Dispose();
        ids.Dispose();
        hidden.Dispose();
    }
}
