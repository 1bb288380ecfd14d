using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;
using MoeTune.Cuda.Compilation;
using MoeTune.Plugins.FlashInferCutlass.Kernels;
using MoeTune.Plugins.FlashInferCutlass.Runtime;
using MoeTune.Plugins.FlashInferCutlass.Support;

namespace MoeTune.Plugins.FlashInferCutlass;

/// <summary>
/// Throughput grouped GEMM for prefill and large batches on Hopper: tokens permuted into expert order on the device,
/// then a persistent, warp-specialised wgmma GEMM per expert matrix with its epilogue fused (SwiGLU or ReLU² after
/// W13; router weighting and the scatter to (token, slot) rows after W2), and a deterministic combine. bf16 weights,
/// or NVFP4 dequantised to bf16 in shared memory inside the main loop. plugins/FlashInferCutlass/NOTES.md has the design.
/// </summary>
public sealed class FlashInferCutlassBackend : IMoeBackend
{
    private readonly KernelCompiler compiler;
    private readonly ILogger logger;

    public FlashInferCutlassBackend(KernelCompiler compiler, ILogger<FlashInferCutlassBackend>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(compiler);
        this.compiler = compiler;
        this.logger = logger ?? (ILogger)NullLogger.Instance;
    }

    public string Name => "FlashInferCutlass";

    public IReadOnlyList<string> Aliases { get; } = ["FLASHINFER_CUTLASS"];

    /// <summary>Bumped when host-side behaviour changes results or speed (kernel changes move <see cref="KernelSourceHash"/>).</summary>
    public string Version => "1.0";

    public string KernelSourceHash => KernelSources.Sha256;

    public DeviceKind DeviceKind => DeviceKind.Cuda;

    public SupportDecision CheckSupport(DeviceInfo device, MoeShape problem) => SupportRules.Check(device, problem);

    public IPreparedMoeLayer Prepare(MoeWeights weights, PrepareContext context)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(context);
        var decision = CheckSupport(context.Device, weights.Shape);
        if (!decision.IsSupported)
        {
            throw new NotSupportedException($"{Name} cannot run {weights.Shape.CanonicalText} on {context.Device}: {decision.Reason}");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(context.MaxTokens, nameof(context));
        return FlashInferCutlassLayer.Create(weights, context, compiler, logger);
    }
}
