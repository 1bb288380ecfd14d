using System.Diagnostics;
using Microsoft.Extensions.Logging;
using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Tensors;
using MoeTune.Abstractions.Weights;
using MoeTune.Cuda.Compilation;
using MoeTune.Cuda.Driver;
using MoeTune.Plugins.FlashInferCutlass.Layout;

namespace MoeTune.Plugins.FlashInferCutlass.Runtime;

/// <summary>
/// One prepared layer. A forward is five launches on the caller's stream, with no allocation and no host sync:
/// route (expert counts, padded offsets, work list, permuted row sources), gather (tokens into tiled expert order),
/// GEMM1 (W13 with SwiGLU or ReLU² fused), GEMM2 (W2 with the router weight fused, each (token, slot) row to its
/// partial), combine (sum of the k partials of each token in slot order). The reduction is deterministic: no float
/// atomics, and every sum runs in a fixed order. Not thread-safe: one forward at a time per layer.
/// </summary>
internal sealed class FlashInferCutlassLayer : IPreparedMoeLayer
{
    private readonly TileGeometry geometry;
    private readonly int multiprocessors;
    private readonly LayerKernels kernels;
    private readonly LayerWeights weights;
    private readonly LayerWorkspace workspace;
    private readonly KernelArguments arguments = new();
    private bool disposed;

    private FlashInferCutlassLayer(TileGeometry geometry, int multiprocessors, int maxTokens, LayerKernels kernels, LayerWeights weights, LayerWorkspace workspace)
    {
        this.geometry = geometry;
        this.multiprocessors = multiprocessors;
        MaxTokens = maxTokens;
        this.kernels = kernels;
        this.weights = weights;
        this.workspace = workspace;
    }

    public long WeightBytes => weights.Bytes;

    public long WorkspaceBytes => workspace.Bytes;

    public int MaxTokens { get; }

    public static FlashInferCutlassLayer Create(MoeWeights moeWeights, PrepareContext context, KernelCompiler compiler, ILogger logger)
    {
        var clock = Stopwatch.StartNew();
        var cuda = CudaContext.Current;
        var geometry = new TileGeometry(moeWeights.Shape);
        if (geometry.MaxPermutedRows(context.MaxTokens) > int.MaxValue / 2)
        {
            throw new ArgumentException($"{context.MaxTokens} tokens × top-{moeWeights.Shape.TopK} exceed what the routing kernel indexes", nameof(context));
        }

        LayerKernels? kernels = null;
        LayerWeights? weights = null;
        LayerWorkspace? workspace = null;
        try
        {
            kernels = LayerKernels.Load(compiler, cuda, context.Device, moeWeights.Shape, logger);
            weights = LayerWeights.Upload(cuda, geometry, moeWeights);
            workspace = LayerWorkspace.Allocate(cuda, geometry, context.MaxTokens);
            var layer = new FlashInferCutlassLayer(geometry, context.Device.MultiprocessorCount, context.MaxTokens, kernels, weights, workspace);
            LayerLog.Prepared(logger, moeWeights.Shape.CanonicalText, layer.WeightBytes, layer.WorkspaceBytes, context.MaxTokens, clock.Elapsed.TotalMilliseconds);
            return layer;
        }
        catch
        {
            workspace?.Dispose();
            weights?.Dispose();
            kernels?.Dispose();
            throw;
        }
    }

    public void Forward(in MoeForwardArgs args)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var tokens = args.Tokens;
        if (tokens < 0 || tokens > MaxTokens)
        {
            throw new ArgumentOutOfRangeException(nameof(args), tokens, $"token count must be in [0, {MaxTokens}] (the layer was prepared for {MaxTokens})");
        }

        if (tokens == 0)
        {
            return;
        }

        var shape = geometry.Shape;
        args.Hidden.Require("hidden", DType.Bf16, tokens, shape.Hidden, MemoryLocation.Cuda);
        args.TopKIds.Require("top-k ids", DType.I32, tokens, shape.TopK, MemoryLocation.Cuda);
        args.TopKWeights.Require("top-k weights", DType.F32, tokens, shape.TopK, MemoryLocation.Cuda);
        args.Output.Require("output", DType.Bf16, tokens, shape.Hidden, MemoryLocation.Cuda);
        RequireAligned("hidden", args.Hidden);
        RequireAligned("output", args.Output);

        var grids = LaunchGrids.For(geometry, multiprocessors, tokens);
        var entries = tokens * shape.TopK;
        var stream = args.Stream;

        kernels.Route.Launch(new LaunchConfig(1, LaunchGrids.RouteThreads), stream, arguments.Clear()
            .Add(args.TopKIds.Address).Add(entries).Add(shape.TopK).Add(shape.Experts)
            .Add(workspace.RowOffsets.Address).Add(workspace.TileOffsets.Address)
            .Add(workspace.TileExperts.Address).Add(workspace.RowSources.Address));

        kernels.Gather.Launch(new LaunchConfig(grids.Gather, LaunchGrids.GatherThreads), stream, arguments.Clear()
            .Add(args.Hidden.Address).Add(shape.Hidden).Add(shape.TopK).Add(workspace.RowSources.Address)
            .Add(workspace.RowOffsets.Address).Add(shape.Experts).Add(geometry.HiddenKTiles).Add(workspace.Activations.Address));

        var first = Gemm(workspace.Activations, weights.W13, workspace.Intermediate, weights.W13Scales, args.TopKWeights.Address);
        first.NTiles = geometry.W13NTiles;
        first.KTiles = geometry.HiddenKTiles;
        first.OutCols = geometry.IntermediateKTiles;
        kernels.FirstGemm.Launch(
            new LaunchConfig(grids.FirstGemm, Kernels.GemmVariant.Threads, kernels.FirstVariant.SharedMemoryBytes), stream, arguments.Clear().Add(first));

        var second = Gemm(workspace.Intermediate, weights.W2, workspace.Partials, weights.W2Scales, args.TopKWeights.Address);
        second.NTiles = geometry.W2NTiles;
        second.KTiles = geometry.IntermediateKTiles;
        second.OutCols = shape.Hidden;
        kernels.SecondGemm.Launch(
            new LaunchConfig(grids.SecondGemm, Kernels.GemmVariant.Threads, kernels.SecondVariant.SharedMemoryBytes), stream, arguments.Clear().Add(second));

        kernels.Combine.Launch(new LaunchConfig(grids.Combine, LaunchGrids.CombineThreads), stream, arguments.Clear()
            .Add(workspace.Partials.Address).Add(args.TopKIds.Address).Add(tokens).Add(shape.TopK).Add(shape.Hidden)
            .Add(shape.Experts).Add(args.Output.Address));
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        workspace.Dispose();
        weights.Dispose();
        kernels.Dispose();
    }

    private GemmArguments Gemm(DeviceBuffer a, DeviceBuffer b, DeviceBuffer output, DeviceBuffer scales, nint routeWeights) => new()
    {
        A = a.Address,
        B = b.Address,
        Out = output.Address,
        TileOffsets = workspace.TileOffsets.Address,
        TileExperts = workspace.TileExperts.Address,
        RowOffsets = workspace.RowOffsets.Address,
        RowSources = workspace.RowSources.Address,
        RouteWeights = routeWeights,
        ExpertScales = scales.Address,
        Experts = geometry.Shape.Experts,
    };

    private static void RequireAligned(string name, in TensorRef tensor)
    {
        if (tensor.Address % 16 != 0)
        {
            throw new ArgumentException($"{name}: the kernels read and write 16-byte vectors; address 0x{tensor.Address:X} is not 16-byte aligned");
        }
    }
}
