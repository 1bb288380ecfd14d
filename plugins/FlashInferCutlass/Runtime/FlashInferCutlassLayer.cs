using System.Diagnostics;
using Microsoft.Extensions.Logging;
using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Tensors;
using MoeTune.Abstractions.Weights;
using MoeTune.Cuda.Compilation;
using MoeTune.Cuda.Driver;
using MoeTune.Plugins.FlashInferCutlass.Kernels;
using MoeTune.Plugins.FlashInferCutlass.Layout;

namespace MoeTune.Plugins.FlashInferCutlass.Runtime;

/// <summary>
/// One prepared layer. A forward is four or five launches on the caller's stream, with no allocation and no host sync:
/// route (expert counts, padded offsets, work list, permuted row sources), gather (tokens into tiled expert order; only
/// for a pipeline whose GEMM1 does not gather itself), GEMM1 (W13 with SwiGLU or ReLU² fused), GEMM2 (W2 with the
/// router weight fused, each (token, slot) row to its partial), combine (sum of the k partials of each token in slot
/// order). The reduction is deterministic: no float atomics, and every sum runs in a fixed order. Not thread-safe: one
/// forward at a time per layer.
/// </summary>
internal sealed class FlashInferCutlassLayer : IPreparedMoeLayer
{
    private readonly MoeShape shape;
    private readonly Loader loader;
    private readonly Dictionary<WeightLayout, LayerWeights> uploads = [];
    private readonly LayerWorkspace workspace;
    private ForwardKernels kernels;
    private bool disposed;

    private FlashInferCutlassLayer(MoeShape shape, int maxTokens, Loader loader, ForwardKernels kernels, LayerWeights weights, LayerWorkspace workspace)
    {
        this.shape = shape;
        MaxTokens = maxTokens;
        this.loader = loader;
        this.kernels = kernels;
        uploads[kernels.Geometry.Layout] = weights;
        this.workspace = workspace;
    }

    public long WeightBytes => Weights.Bytes;

    public long WorkspaceBytes => workspace.Bytes;

    public int MaxTokens { get; }

    /// <summary>The grouped GEMM pipeline the forward pass runs.</summary>
    public GemmPipeline Pipeline => kernels.FirstVariant.Pipeline;

    public static FlashInferCutlassLayer Create(
        MoeWeights moeWeights, PrepareContext context, KernelCompiler compiler, ILogger logger, GemmPipeline? pipeline = null)
    {
        var clock = Stopwatch.StartNew();
        var cuda = CudaContext.Current;
        var geometry = new TileGeometry(moeWeights.Shape);
        if (geometry.MaxPermutedRows(context.MaxTokens) > int.MaxValue / 2)
        {
            throw new ArgumentException($"{context.MaxTokens} tokens × top-{moeWeights.Shape.TopK} exceed what the routing kernel indexes", nameof(context));
        }

        ForwardKernels? kernels = null;
        LayerWeights? weights = null;
        LayerWorkspace? workspace = null;
        try
        {
            var loader = new Loader(compiler, cuda, context.Device, moeWeights.Shape, logger);
            kernels = loader.Load(pipeline ?? GemmPipeline.ForLayer(moeWeights.Shape.Format));
            weights = LayerWeights.Upload(cuda, kernels.Geometry, moeWeights);
            workspace = LayerWorkspace.Allocate(cuda, geometry, context.MaxTokens);
            var layer = new FlashInferCutlassLayer(moeWeights.Shape, context.MaxTokens, loader, kernels, weights, workspace);
            layer.AllocateFor(kernels);
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

    /// <summary>
    /// Replaces the kernels with those of another grouped GEMM pipeline, keeping the workspace and every weight upload:
    /// tools/gemm-timer compares pipelines on one layer. A pipeline that stores the weights in a layout not uploaded yet
    /// tiles <paramref name="weights"/> (the layer's own) once more. CUDA graphs captured before hold the old kernels;
    /// capture again.
    /// </summary>
    public void UsePipeline(GemmPipeline pipeline, MoeWeights weights)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Shape != shape)
        {
            throw new ArgumentException($"the layer was prepared for {shape.CanonicalText}, not {weights.Shape.CanonicalText}", nameof(weights));
        }

        var loaded = loader.Load(pipeline);
        try
        {
            if (!uploads.ContainsKey(loaded.Geometry.Layout))
            {
                uploads[loaded.Geometry.Layout] = LayerWeights.Upload(CudaContext.Current, loaded.Geometry, weights);
            }

            AllocateFor(loaded);
        }
        catch
        {
            loaded.Dispose();
            throw;
        }

        kernels.Dispose();
        kernels = loaded;
    }

    public void Forward(in MoeForwardArgs args) => Forward(args, afterStage: null);

    /// <summary>As <see cref="Forward(in MoeForwardArgs)"/>, calling <paramref name="afterStage"/> once each launch is enqueued (to record events between stages).</summary>
    public void Forward(in MoeForwardArgs args, Action<ForwardStage>? afterStage)
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

        args.Hidden.Require("hidden", DType.Bf16, tokens, shape.Hidden, MemoryLocation.Cuda);
        args.TopKIds.Require("top-k ids", DType.I32, tokens, shape.TopK, MemoryLocation.Cuda);
        args.TopKWeights.Require("top-k weights", DType.F32, tokens, shape.TopK, MemoryLocation.Cuda);
        args.Output.Require("output", DType.Bf16, tokens, shape.Hidden, MemoryLocation.Cuda);
        RequireAligned("hidden", args.Hidden);
        RequireAligned("output", args.Output);

        var stream = args.Stream;
        var routing = workspace.Routing;
        var weights = Weights;
        kernels.Route(stream, args.TopKIds.Address, tokens, routing);
        afterStage?.Invoke(ForwardStage.Route);
        var gemmTokens = args.Hidden.Address;
        if (!kernels.FirstGemmGathers)
        {
            gemmTokens = workspace.Activations.Address;
            kernels.Gather(stream, args.Hidden.Address, tokens, routing, gemmTokens);
        }

        afterStage?.Invoke(ForwardStage.Gather);
        kernels.FirstGemm(stream, tokens, kernels.FirstGemmArguments(
            routing, gemmTokens, weights.W13.Address, weights.W13Scales.Address, workspace.Intermediate.Address));
        afterStage?.Invoke(ForwardStage.FirstGemm);
        kernels.SecondGemm(stream, tokens, kernels.SecondGemmArguments(
            routing, workspace.Intermediate.Address, weights.W2.Address, weights.W2Scales.Address, args.TopKWeights.Address, workspace.Partials.Address));
        afterStage?.Invoke(ForwardStage.SecondGemm);
        kernels.Combine(stream, workspace.Partials.Address, args.TopKIds.Address, tokens, args.Output.Address);
        afterStage?.Invoke(ForwardStage.Combine);
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        workspace.Dispose();
        foreach (var upload in uploads.Values)
        {
            upload.Dispose();
        }

        uploads.Clear();
        kernels.Dispose();
    }

    /// <summary>The weights in the layout the current kernels read.</summary>
    private LayerWeights Weights => uploads[kernels.Geometry.Layout];

    /// <summary>The gathered activations exist once a pipeline with a separate gather kernel is loaded.</summary>
    private void AllocateFor(ForwardKernels loaded)
    {
        if (!loaded.FirstGemmGathers)
        {
            _ = workspace.Activations;
        }
    }

    /// <summary>What loading the kernels of another pipeline needs, kept from <see cref="Create"/>.</summary>
    private sealed record Loader(KernelCompiler Compiler, CudaContext Context, DeviceInfo Device, MoeShape Shape, ILogger Logger)
    {
        public ForwardKernels Load(GemmPipeline pipeline) => ForwardKernels.Load(Compiler, Context, Device, Shape, Logger, pipeline);
    }

    private static void RequireAligned(string name, in TensorRef tensor)
    {
        if (tensor.Address % 16 != 0)
        {
            throw new ArgumentException($"{name}: the kernels read and write 16-byte vectors; address 0x{tensor.Address:X} is not 16-byte aligned");
        }
    }
}
