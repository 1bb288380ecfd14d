using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Tensors;
using MoeTune.Cuda.Driver;
using MoeTune.Models;
using MoeTune.Plugins.FlashInferCutlass.Runtime;
using MoeTune.Reference.Routing;
using MoeTune.Reference.Synthetic;

namespace MoeTune.Tools.GemmTimer;

/// <summary>
/// One forward's inputs (hidden states, top-k ids and weights), kept on the host (for the reference) and in device
/// buffers, with the layer's forward over them captured into a CUDA graph.
/// </summary>
internal sealed class InputSet : IDisposable
{
    private readonly DeviceBuffer[] buffers;
    private readonly DeviceBuffer output;
    private CudaGraph? graph;
    private CudaGraphExec? replay;

    private InputSet(MoeShape shape, int tokens, ushort[] hidden, RoutingResult routing, DeviceBuffer[] buffers, DeviceBuffer output, MoeForwardArgs args)
    {
        Shape = shape;
        Tokens = tokens;
        Hidden = hidden;
        Routing = routing;
        this.buffers = buffers;
        this.output = output;
        Args = args;
    }

    public MoeShape Shape { get; }

    public int Tokens { get; }

    public ushort[] Hidden { get; }

    public RoutingResult Routing { get; }

    public MoeForwardArgs Args { get; }

    /// <summary>The graph of the layer's current kernels; <see cref="Capture"/> again after the layer changes pipeline.</summary>
    public CudaGraphExec Replay => replay ?? throw new InvalidOperationException("capture the forward first");

    /// <summary>Draws N(0, 1) hidden states and routes N(0, 1) logits with <paramref name="model"/>'s own router.</summary>
    public static InputSet Create(CudaContext context, CudaStream stream, ModelSpec model, int tokens, int seed)
    {
        var shape = model.Shape;
        var logits = SyntheticInputs.RouterLogits(tokens, shape.Experts, seed + 1);
        var bias = model.Routing.UsesCorrectionBias
            ? [.. SyntheticInputs.RouterLogits(1, shape.Experts, seed + 2).Select(b => b * 0.05f)]
            : Array.Empty<float>();
        var routing = ReferenceRouter.Route(model.Routing, logits, tokens, shape.Experts, shape.TopK, bias);
        return Upload(context, stream, shape, SyntheticInputs.HiddenStates(tokens, shape.Hidden, seed), routing);
    }

    /// <summary>Copies given inputs to the device, with an output buffer of their size.</summary>
    public static InputSet Upload(CudaContext context, CudaStream stream, MoeShape shape, ushort[] hidden, RoutingResult routing)
    {
        var tokens = routing.Tokens;
        var hiddenBuffer = DeviceBuffer.FromHost<ushort>(context, hidden);
        var ids = DeviceBuffer.FromHost<int>(context, routing.Ids);
        var weights = DeviceBuffer.FromHost<float>(context, routing.Weights);
        var output = DeviceBuffer.Allocate<ushort>(context, (long)tokens * shape.Hidden);
        var args = new MoeForwardArgs(
            tokens,
            hiddenBuffer.AsTensor(DType.Bf16, tokens, shape.Hidden),
            ids.AsTensor(DType.I32, tokens, shape.TopK),
            weights.AsTensor(DType.F32, tokens, shape.TopK),
            output.AsTensor(DType.Bf16, tokens, shape.Hidden),
            stream.Handle);
        return new InputSet(shape, tokens, hidden, routing, [hiddenBuffer, ids, weights, output], output, args);
    }

    public void Capture(FlashInferCutlassLayer layer, CudaStream stream)
    {
        ReleaseGraph();
        graph = CudaGraph.Capture(stream, s => layer.Forward(Args with { Stream = s.Handle }));
        replay = graph.Instantiate();
    }

    /// <summary>Fills the output with NaN, runs one eager forward and returns rows <paramref name="tokens"/> of its output.</summary>
    public ushort[][] ForwardRows(FlashInferCutlassLayer layer, CudaContext context, CudaStream stream, IReadOnlyList<int> tokens, string what)
    {
        output.FillAsync((ushort)0x7FC0, stream);
        layer.Forward(Args with { Stream = stream.Handle });
        Watchdog.Await(context, stream, what);
        return [.. tokens.Select(t =>
        {
            var row = new ushort[Shape.Hidden];
            output.Download<ushort>(row, (long)t * Shape.Hidden * sizeof(ushort));
            return row;
        })];
    }

    public void Dispose()
    {
        ReleaseGraph();
        foreach (var buffer in buffers) buffer.Dispose();
    }

    private void ReleaseGraph()
    {
        replay?.Dispose();
        graph?.Dispose();
        replay = null;
        graph = null;
    }
}
