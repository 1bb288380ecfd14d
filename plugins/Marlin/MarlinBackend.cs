using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;
using MoeTune.Cuda.Compilation;
using MoeTune.Cuda.Driver;
using MoeTune.Plugins.Marlin.KernelInterface;
using MoeTune.Plugins.Marlin.Planning;
using MoeTune.Plugins.Marlin.Runtime;

namespace MoeTune.Plugins.Marlin;

/// <summary>
/// Weight-streaming W4A16 for decoding (DESIGN.md "Backends"): NVFP4 or MXFP4 weights reshuffled at prepare time into
/// the order mma.sync's fragments consume, streamed with an L2 evict-first hint (on the decode path by the copy engine
/// into a shared-memory ring on SM 9.0 and newer, else straight into a register ring; see <see cref="Marlin.DecodePipeline"/>;
/// through cp.async rings on the prefill path), decoded to bf16 in registers (exactly) and multiplied with bf16
/// activations. Up to 16 tokens run as one persistent kernel whose work is split over experts, weight rows and K so that
/// a single token fills the GPU; more tokens run a tiled path. SM 8.0 and newer. NOTES.md beside this file has the
/// decode path's measurements and predictions.
/// </summary>
public sealed class MarlinBackend : IMoeBackend
{
    private readonly KernelCompiler compiler;

    public MarlinBackend(KernelCompiler compiler)
    {
        ArgumentNullException.ThrowIfNull(compiler);
        this.compiler = compiler;
    }

    /// <summary>
    /// The decode pipeline every layer this backend prepares runs; null (the default) lets
    /// <see cref="DecodePipelineChoice.Resolve"/> choose per GPU (the environment variable, else bulk copies on SM 9.0+).
    /// </summary>
    public DecodePipeline? DecodePipeline { get; init; }

    /// <summary>
    /// Macros added to the decode build (its compile-time switches, e.g. <c>MARLIN_SHIFTS_ON_FMA=0</c> in
    /// kernels/marlin_decode_bulk.cu), so that tools/kernel-timer can time a switch's two settings on one card in one
    /// run. Empty (the default) for every layer the engine prepares.
    /// </summary>
    public IReadOnlyDictionary<string, string> DecodeDefines { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Decode launch choices fixed for measuring (n-tiles, CTAs per SM; tools/kernel-timer's <c>@</c> variants);
    /// <see cref="DecodeOverrides.None"/> (the default) for every layer the engine prepares.
    /// </summary>
    public DecodeOverrides DecodeOverrides { get; init; } = DecodeOverrides.None;

    public string Name => "Marlin";

    public IReadOnlyList<string> Aliases { get; } = ["MARLIN"];

    public string Version => "1.0.0";

    public string KernelSourceHash => MarlinKernelSources.Hash;

    public DeviceKind DeviceKind => DeviceKind.Cuda;

    public SupportDecision CheckSupport(DeviceInfo device, MoeShape problem) => MarlinSupport.Check(device, problem);

    public IPreparedMoeLayer Prepare(MoeWeights weights, PrepareContext context)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(context);
        var decision = CheckSupport(context.Device, weights.Shape);
        if (!decision.IsSupported)
        {
            throw new NotSupportedException($"Marlin cannot run {weights.Shape} on {context.Device}: {decision.Reason}");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(context.MaxTokens);
        var cuda = CudaContext.Current;
        var geometry = new LayerGeometry(weights.Shape);
        var pipeline = DecodePipelineChoice.Resolve(
            DecodePipeline, Environment.GetEnvironmentVariable(DecodePipelineChoice.EnvironmentVariable), context.Device);
        var launch = DecodeLaunch.For(
            pipeline, MarlinPreparedLayer.SmResourcesOf(cuda.Device), cuda.Device.MaxSharedMemoryPerBlockOptin, geometry.RecordBytes);
        var modules = MarlinModules.Load(compiler, cuda, launch, DecodeDefines);
        PreparedWeights prepared;
        try
        {
            prepared = PreparedWeights.Upload(weights, geometry, cuda);
        }
        catch
        {
            modules.Dispose();
            throw;
        }

        return MarlinPreparedLayer.Create(geometry, prepared, modules, cuda, context.MaxTokens, DecodeOverrides);
    }
}
