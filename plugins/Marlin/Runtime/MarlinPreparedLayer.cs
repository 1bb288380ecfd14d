using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Tensors;
using MoeTune.Cuda.Driver;
using MoeTune.Cuda.Native;
using MoeTune.Plugins.Marlin.KernelInterface;
using MoeTune.Plugins.Marlin.Planning;

namespace MoeTune.Plugins.Marlin.Runtime;

/// <summary>
/// A Marlin layer on one GPU: prepared weights, workspaces for <see cref="MaxTokens"/>, loaded kernels. Forward only
/// enqueues launches: one persistent kernel for up to 16 tokens (the decode path, in the pipeline the layer was
/// prepared with), four kernels above (prefill). It allocates nothing, never waits for the GPU, and is capturable into
/// a CUDA graph. Forwards share the workspaces and the decode kernel's counters, so calls on one layer must not run
/// concurrently (on two streams at once).
/// </summary>
internal sealed class MarlinPreparedLayer : IPreparedMoeLayer
{
    /// <summary>CUDA's limit on a grid's y extent, which the prefill GEMMs spend on token tiles.</summary>
    private const int MaxGridY = 65535;

    private readonly LayerGeometry geometry;
    private readonly PreparedWeights weights;
    private readonly MarlinModules modules;
    private readonly DeviceBuffer intermediate;
    private readonly DeviceBuffer partials;
    private readonly DeviceBuffer counters;
    private readonly DeviceBuffer? routing;
    private readonly MarlinKernelParams template;
    private readonly int multiprocessors;
    private readonly int[] decodeCtasPerSm;
    private readonly DecodeOverrides overrides;
    private readonly KernelArguments arguments = new();

    private MarlinPreparedLayer(
        LayerGeometry geometry,
        PreparedWeights weights,
        MarlinModules modules,
        DeviceBuffer intermediate,
        DeviceBuffer partials,
        DeviceBuffer counters,
        DeviceBuffer? routing,
        int maxTokens,
        int multiprocessors,
        int[] decodeCtasPerSm,
        DecodeOverrides overrides,
        int splits2)
    {
        this.geometry = geometry;
        this.weights = weights;
        this.modules = modules;
        this.intermediate = intermediate;
        this.partials = partials;
        this.counters = counters;
        this.routing = routing;
        this.multiprocessors = multiprocessors;
        this.decodeCtasPerSm = decodeCtasPerSm;
        this.overrides = overrides;
        MaxTokens = maxTokens;
        template = Template(geometry, weights, intermediate, partials, counters, routing, maxTokens, splits2);
    }

    public long WeightBytes => weights.Bytes;

    public long WorkspaceBytes => intermediate.Bytes + partials.Bytes + counters.Bytes + (routing?.Bytes ?? 0);

    public int MaxTokens { get; }

    /// <summary>Takes ownership of <paramref name="weights"/> and <paramref name="modules"/> (disposed on failure too).</summary>
    public static MarlinPreparedLayer Create(
        LayerGeometry geometry, PreparedWeights weights, MarlinModules modules, CudaContext context, int maxTokens, DecodeOverrides overrides)
    {
        var owned = new List<IDisposable> { weights, modules };
        try
        {
            ArgumentNullException.ThrowIfNull(overrides);
            if (!geometry.UsesDecodePath(maxTokens) && geometry.PrefillMaxTiles(maxTokens) > MaxGridY)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(maxTokens), maxTokens, $"Marlin's prefill grid holds at most {MaxGridY} token tiles; prepare for fewer tokens");
            }

            var splits2 = overrides.Splits2 ?? geometry.DecodeSplits2;
            if (splits2 > geometry.Chunks2)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(overrides), splits2, $"GEMM2 has {geometry.Chunks2} K chunks: at most that many splits");
            }

            var sizes = geometry.Workspaces(maxTokens, splits2);
            var intermediate = Allocate(context, sizes.IntermediateBytes, owned);
            var partials = Allocate(context, sizes.PartialBytes, owned);
            var counters = Allocate(context, sizes.CounterBytes, owned);
            counters.Fill(0u);  // the decode kernel leaves them at zero after every forward
            var routing = sizes.RoutingBytes > 0 ? Allocate(context, sizes.RoutingBytes, owned) : null;
            var device = context.Device;
            var sm = SmResourcesOf(device);
            var format = geometry.Shape.Format;
            int[] ctas =
            [
                0,
                DecodeCtas(sm, modules.Decode(format, 1), modules.DecodeLaunch, 1),
                DecodeCtas(sm, modules.Decode(format, 2), modules.DecodeLaunch, 2),
            ];
            return new MarlinPreparedLayer(
                geometry, weights, modules, intermediate, partials, counters, routing, maxTokens, device.MultiprocessorCount, ctas, overrides, splits2);
        }
        catch
        {
            foreach (var item in owned)
            {
                item.Dispose();
            }

            throw;
        }
    }

    public void Forward(in MoeForwardArgs args)
    {
        var tokens = args.Tokens;
        if (tokens < 0 || tokens > MaxTokens)
        {
            throw new ArgumentOutOfRangeException(nameof(args), tokens, $"Marlin layer prepared for 0..{MaxTokens} tokens");
        }

        if (tokens == 0)
        {
            return;
        }

        var shape = geometry.Shape;
        args.Hidden.Require(nameof(args.Hidden), DType.Bf16, tokens, shape.Hidden, MemoryLocation.Cuda);
        args.TopKIds.Require(nameof(args.TopKIds), DType.I32, tokens, shape.TopK, MemoryLocation.Cuda);
        args.TopKWeights.Require(nameof(args.TopKWeights), DType.F32, tokens, shape.TopK, MemoryLocation.Cuda);
        args.Output.Require(nameof(args.Output), DType.Bf16, tokens, shape.Hidden, MemoryLocation.Cuda);
        var p = template;
        p.Hidden = args.Hidden.Address;
        p.TopKIds = args.TopKIds.Address;
        p.TopKWeights = args.TopKWeights.Address;
        p.Output = args.Output.Address;
        p.Tokens = tokens;
        arguments.Clear().Add(p);
        if (geometry.UsesDecodePath(tokens))
        {
            EnqueueDecode(tokens, args.Stream);
        }
        else
        {
            EnqueuePrefill(tokens, args.Stream);
        }
    }

    public void Dispose()
    {
        routing?.Dispose();
        counters.Dispose();
        partials.Dispose();
        intermediate.Dispose();
        modules.Dispose();
        weights.Dispose();
    }

    private void EnqueueDecode(int tokens, nint stream)
    {
        var launch = modules.DecodeLaunch;
        var columnTiles = overrides.ColumnTiles ?? launch.ColumnTiles(tokens, geometry.Shape.TopK, geometry.Shape.Experts);
        var activeExperts = (int)Math.Min(geometry.Shape.Experts, (long)tokens * geometry.Shape.TopK);
        var resident = decodeCtasPerSm[columnTiles];
        var ctasPerSm = overrides.CtasPerSm is { } fixedCount
            ? Math.Min(fixedCount, resident)
            : launch.Pipeline == DecodePipeline.BulkCopyOverlapped
                ? DecodeGrid.CtasPerSm(resident, multiprocessors, geometry.DecodeGemm1Items(activeExperts), activeExperts)
                : resident;
        var grid = (int)Math.Min((long)ctasPerSm * multiprocessors, geometry.DecodeItems(activeExperts, template.Splits2));
        modules.Decode(geometry.Shape.Format, columnTiles).Launch(
            new LaunchConfig(grid, launch.Threads, launch.SharedBytes(columnTiles)), stream, arguments);
    }

    private void EnqueuePrefill(int tokens, nint stream)
    {
        var tiles = geometry.PrefillMaxTiles(tokens);
        modules.Route.Launch(new LaunchConfig(1, KernelLimits.RouteThreads), stream, arguments);
        modules.Gemm13.Launch(
            new LaunchConfig(new Dim3(LayerGeometry.PrefillRowBlocks(geometry.W13Tiles), tiles), KernelLimits.PrefillThreads), stream, arguments);
        modules.Gemm2.Launch(
            new LaunchConfig(new Dim3(LayerGeometry.PrefillRowBlocks(geometry.W2Tiles), tiles), KernelLimits.PrefillThreads), stream, arguments);
        var quads = (long)tokens * geometry.Shape.Hidden / 4;
        var blocks = (int)Math.Min((quads + KernelLimits.ReduceThreads - 1) / KernelLimits.ReduceThreads, 16L * multiprocessors);
        modules.Reduce.Launch(new LaunchConfig(blocks, KernelLimits.ReduceThreads), stream, arguments);
    }

    /// <summary>The resources of one SM of <paramref name="device"/>, as the occupancy rule takes them.</summary>
    public static SmResources SmResourcesOf(CudaDevice device) => new(
        device.GetAttribute(DeviceAttribute.MaxRegistersPerMultiprocessor),
        device.GetAttribute(DeviceAttribute.MaxThreadsPerMultiprocessor),
        device.MaxSharedMemoryPerMultiprocessor);

    private static int DecodeCtas(SmResources sm, CudaFunction function, DecodeLaunch launch, int columnTiles) => Math.Max(
        1,
        Occupancy.ResidentCtas(sm, function.Resources.Registers, launch.Threads, launch.SharedBytes(columnTiles)));

    private static DeviceBuffer Allocate(CudaContext context, long bytes, List<IDisposable> owned)
    {
        var buffer = DeviceBuffer.Allocate(context, Math.Max(bytes, 16));
        owned.Add(buffer);
        return buffer;
    }

    private static MarlinKernelParams Template(
        LayerGeometry geometry,
        PreparedWeights weights,
        DeviceBuffer intermediate,
        DeviceBuffer partials,
        DeviceBuffer counters,
        DeviceBuffer? routing,
        int maxTokens,
        int splits2)
    {
        var shape = geometry.Shape;
        return new MarlinKernelParams
        {
            W13 = weights.W13.Address,
            W2 = weights.W2.Address,
            Epilogue13 = weights.Epilogue13.Address,
            Epilogue2 = weights.Epilogue2.Address,
            Bias13 = weights.Bias13?.Address ?? 0,
            Bias2 = weights.Bias2?.Address ?? 0,
            Intermediate = intermediate.Address,
            Partials = partials.Address,
            Counters = counters.Address,
            Routing = routing?.Address ?? 0,
            Experts = shape.Experts,
            TopK = shape.TopK,
            HiddenSize = shape.Hidden,
            InterSize = shape.Intermediate,
            Format = KernelCodes.Format(shape.Format),
            Activation = KernelCodes.Activation(shape.Activation),
            W13Tiles = geometry.W13Tiles,
            W2Tiles = geometry.W2Tiles,
            Chunks13 = geometry.Chunks13,
            Chunks2 = geometry.Chunks2,
            RecordBytes = geometry.RecordBytes,
            Splits2 = splits2,
            MaxTiles = geometry.UsesDecodePath(maxTokens) ? 0 : geometry.PrefillMaxTiles(maxTokens),
        };
    }
}
