using Microsoft.Extensions.Logging;
using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Cuda.Compilation;
using MoeTune.Cuda.Driver;
using MoeTune.Plugins.FlashInferCutlass.Kernels;
using MoeTune.Plugins.FlashInferCutlass.Layout;

namespace MoeTune.Plugins.FlashInferCutlass.Runtime;

/// <summary>
/// The five kernels of a forward pass for one problem shape, compiled for the device and loaded on its context, with
/// one launch method per stage. The prepared layer chains them; the GPU suite also runs them one at a time to
/// localise a failure. Launches only enqueue (no allocation, no sync). Not thread-safe: the argument buffer is reused.
/// </summary>
public sealed class ForwardKernels : IDisposable
{
    /// <summary>A folder to write every loaded cubin to, for <c>cuobjdump -sass</c> (checking that the GEMM's main loop is HGMMA).</summary>
    public const string DumpVariable = "MOETUNE_DUMP_CUBIN";

    // Two counters for GEMM1's launches, two for GEMM2's (kernels/fic_schedule.cuh); each launch leaves its pair zero.
    private const int WorkCounterInts = 4;

    // The routing's expert counts and row cursors, a reported-id flag and a done counter (kernels/fic_route.cu); its
    // second launch leaves them zero.
    private const int RouteScratchInts = (2 * TileGeometry.MaxExperts) + 2;

    private readonly List<CudaModule> modules = [];
    private readonly KernelArguments arguments = new();
    private readonly int multiprocessors;
    private readonly DeviceBuffer workCounters;
    private readonly DeviceBuffer routeScratch;
    private CudaFunction routeCount = null!;
    private CudaFunction routePlace = null!;
    private CudaFunction gather = null!;
    private CudaFunction combine = null!;
    private CudaFunction firstGemm = null!;
    private CudaFunction secondGemm = null!;

    private ForwardKernels(MoeShape shape, int multiprocessors, GemmPipeline pipeline, CudaContext context)
    {
        Geometry = new TileGeometry(shape, pipeline.LayoutFor(shape.Format));
        this.multiprocessors = multiprocessors;
        workCounters = DeviceBuffer.Allocate<int>(context, WorkCounterInts);
        routeScratch = DeviceBuffer.Allocate<int>(context, RouteScratchInts);
        FirstVariant = GemmVariant.FirstGemm(shape.Activation, shape.Format, pipeline);
        SecondVariant = GemmVariant.SecondGemm(shape.Format, pipeline);
        if (FirstVariant.ClusterSize != SecondVariant.ClusterSize)
        {
            throw new NotSupportedException(
                $"pipeline {pipeline}: GEMM1 and GEMM2 launch with different cluster sizes ({FirstVariant.ClusterSize} and {SecondVariant.ClusterSize})");
        }
    }

    public GemmVariant FirstVariant { get; }

    public GemmVariant SecondVariant { get; }

    /// <summary>The pipeline's tile geometry: the weight layout the GEMMs read and the m-tile height the routing cuts.</summary>
    public TileGeometry Geometry { get; }

    /// <summary>GEMM1 gathers token rows itself: its token argument is the hidden states, and no gather launch is needed.</summary>
    public bool FirstGemmGathers => FirstVariant.Gathers;

    /// <summary>
    /// Compiles (or takes from the cache) and loads the kernels <paramref name="shape"/> needs on <paramref name="context"/>,
    /// with the grouped GEMM's <paramref name="pipeline"/> (<see cref="GemmPipeline.DefaultFor"/> the format when null).
    /// </summary>
    public static ForwardKernels Load(
        KernelCompiler compiler, CudaContext context, DeviceInfo device, MoeShape shape, ILogger? logger = null, GemmPipeline? pipeline = null)
    {
        ArgumentNullException.ThrowIfNull(compiler);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(shape);
        var kernels = new ForwardKernels(shape, device.MultiprocessorCount, pipeline ?? GemmPipeline.DefaultFor(shape.Format), context);
        try
        {
            kernels.workCounters.Fill(0u);
            kernels.routeScratch.Fill(0u);
            var routing = kernels.LoadModule(compiler, context, device, FlashInferCutlassKernels.Route, logger);
            kernels.routeCount = routing.GetFunction(FlashInferCutlassKernels.RouteCountKernelName);
            kernels.routePlace = routing.GetFunction(FlashInferCutlassKernels.RoutePlaceKernelName);
            kernels.gather = kernels.LoadOne(compiler, context, device, FlashInferCutlassKernels.Gather, logger);
            kernels.combine = kernels.LoadOne(compiler, context, device, FlashInferCutlassKernels.Combine, logger);
            kernels.firstGemm = kernels.LoadOne(compiler, context, device, FlashInferCutlassKernels.Gemm(kernels.FirstVariant), logger);
            kernels.secondGemm = kernels.LoadOne(compiler, context, device, FlashInferCutlassKernels.Gemm(kernels.SecondVariant), logger);
            kernels.firstGemm.SetMaxDynamicSharedMemory(kernels.FirstVariant.SharedMemoryBytes);
            kernels.secondGemm.SetMaxDynamicSharedMemory(kernels.SecondVariant.SharedMemoryBytes);
            return kernels;
        }
        catch
        {
            kernels.Dispose();
            throw;
        }
    }

    /// <summary>Routing: <paramref name="topKIds"/> [tokens, k] int32 → <paramref name="routing"/>, m-tiles as tall as the GEMMs take.</summary>
    public void Route(nint stream, nint topKIds, int tokens, in RoutingBuffers routing)
    {
        var shape = Geometry.Shape;
        var grid = new LaunchConfig(Grids(tokens).Route, LaunchGrids.RouteThreads);
        routeCount.Launch(grid, stream, arguments.Clear()
            .Add(topKIds).Add(tokens * shape.TopK).Add(shape.TopK).Add(shape.Experts).Add(routeScratch.Address));
        routePlace.Launch(grid, stream, arguments.Clear()
            .Add(topKIds).Add(tokens * shape.TopK).Add(shape.TopK).Add(shape.Experts).Add(Geometry.TileBlocks)
            .Add(routing.RowOffsets).Add(routing.TileOffsets).Add(routing.TileExperts).Add(routing.RowSources).Add(routing.EntryRows)
            .Add(routeScratch.Address));
    }

    /// <summary>
    /// Gather: <paramref name="hidden"/> [tokens, H] bf16 → the tiled activations at <paramref name="activations"/>, for a
    /// GEMM1 that does not gather itself (<see cref="FirstGemmGathers"/>).
    /// </summary>
    public void Gather(nint stream, nint hidden, int tokens, in RoutingBuffers routing, nint activations)
    {
        var shape = Geometry.Shape;
        gather.Launch(new LaunchConfig(Grids(tokens).Gather, LaunchGrids.GatherThreads), stream, arguments.Clear()
            .Add(hidden).Add(shape.Hidden).Add(tokens).Add(shape.TopK).Add(routing.EntryRows).Add(routing.RowSources)
            .Add(routing.RowOffsets).Add(shape.Experts).Add(Geometry.HiddenKTiles).Add(activations));
    }

    /// <summary>GEMM1 (W13 with the activation fused); <paramref name="args"/> as <see cref="FirstGemmArguments"/> builds them.</summary>
    public void FirstGemm(nint stream, int tokens, in GemmArguments args) =>
        firstGemm.Launch(new LaunchConfig(Grids(tokens).FirstGemm, GemmVariant.Threads, FirstVariant.SharedMemoryBytes), stream, arguments.Clear().Add(args));

    /// <summary>GEMM2 (W2 with router weighting and the scatter to partials fused).</summary>
    public void SecondGemm(nint stream, int tokens, in GemmArguments args) =>
        secondGemm.Launch(new LaunchConfig(Grids(tokens).SecondGemm, GemmVariant.Threads, SecondVariant.SharedMemoryBytes), stream, arguments.Clear().Add(args));

    /// <summary>Combine: the bf16 partials [tokens · k, H] → <paramref name="output"/> [tokens, H] bf16.</summary>
    public void Combine(nint stream, nint partials, nint topKIds, int tokens, nint output)
    {
        var shape = Geometry.Shape;
        combine.Launch(new LaunchConfig(Grids(tokens).Combine, LaunchGrids.CombineThreads), stream, arguments.Clear()
            .Add(partials).Add(topKIds).Add(tokens).Add(shape.TopK).Add(shape.Hidden).Add(shape.Experts).Add(output));
    }

    /// <summary>
    /// GEMM1's arguments: tokens in (the hidden states [T, H] when <see cref="FirstGemmGathers"/>, else the tiled activations
    /// the gather kernel wrote), tiled intermediate out.
    /// </summary>
    public GemmArguments FirstGemmArguments(in RoutingBuffers routing, nint tokens, nint w13, nint w13Scales, nint intermediate) =>
        Arguments(routing, tokens, w13, intermediate, w13Scales, routeWeights: 0) with
        {
            WorkCounters = workCounters.Address,
            NTiles = Geometry.W13NTiles,
            KTiles = Geometry.HiddenKTiles,
            OutCols = Geometry.IntermediateKTiles,
        };

    /// <summary>GEMM2's arguments: tiled intermediate in, weighted bf16 partials out.</summary>
    public GemmArguments SecondGemmArguments(in RoutingBuffers routing, nint intermediate, nint w2, nint w2Scales, nint routeWeights, nint partials) =>
        Arguments(routing, intermediate, w2, partials, w2Scales, routeWeights) with
        {
            WorkCounters = workCounters.Address + (WorkCounterInts / 2 * sizeof(int)),
            NTiles = Geometry.W2NTiles,
            KTiles = Geometry.IntermediateKTiles,
            OutCols = Geometry.Shape.Hidden,
        };

    public void Dispose()
    {
        foreach (var module in modules)
        {
            module.Dispose();
        }

        modules.Clear();
        workCounters.Dispose();
        routeScratch.Dispose();
    }

    private LaunchGrids Grids(int tokens) => LaunchGrids.For(Geometry, multiprocessors, tokens, FirstVariant.ClusterSize);

    private GemmArguments Arguments(in RoutingBuffers routing, nint a, nint b, nint output, nint scales, nint routeWeights) => new()
    {
        A = a,
        B = b,
        Out = output,
        TileOffsets = routing.TileOffsets,
        TileExperts = routing.TileExperts,
        RowOffsets = routing.RowOffsets,
        RowSources = routing.RowSources,
        RouteWeights = routeWeights,
        ExpertScales = scales,
        Experts = Geometry.Shape.Experts,
        HiddenSize = Geometry.Shape.Hidden,
        TopK = Geometry.Shape.TopK,
    };

    private CudaFunction LoadOne(KernelCompiler compiler, CudaContext context, DeviceInfo device, KernelBuild build, ILogger? logger) =>
        LoadModule(compiler, context, device, build, logger).GetFunction(build.KernelNames.Single());

    private CudaModule LoadModule(KernelCompiler compiler, CudaContext context, DeviceInfo device, KernelBuild build, ILogger? logger)
    {
        var compiled = compiler.Compile(build, device);
        DumpCubin(compiled, logger);
        var module = CudaModule.Load(context, compiled);
        modules.Add(module);
        return module;
    }

    private static void DumpCubin(CompiledKernel compiled, ILogger? logger)
    {
        var folder = Environment.GetEnvironmentVariable(DumpVariable);
        if (string.IsNullOrWhiteSpace(folder))
        {
            return;
        }

        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{compiled.Build.Name.Replace('/', '_')}.{compiled.Arch}.cubin");
        File.WriteAllBytes(path, compiled.Cubin);
        if (logger is not null)
        {
            LayerLog.CubinWritten(logger, compiled.Build.Name, path);
        }
    }
}
