using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;

namespace MoeTune.Plugins.TrtLlm;

/// <summary>
/// TrtLlm (planned): the minimum-latency path with routing fused in, one persistent kernel per GEMM whose on-GPU scheduler walks only the active (expert, tile) pairs, aimed at many-expert models at small T.
/// Its kernels are not written yet, so it is registered (users can name it, and `moetune backends` lists it)
/// but answers "not supported" for every problem, with that reason. It never produces output.
/// </summary>
public sealed class TrtLlmBackend : IMoeBackend
{
    internal const string NotImplemented =
        "the TrtLlm kernels are not implemented yet; MoeTune never fakes a backend's output";

    public string Name => "TrtLlm";

    public IReadOnlyList<string> Aliases { get; } = ["FLASHINFER_TRTLLM"];

    public string Version => "0.0.0";

    /// <summary>No kernel sources yet: the hash of nothing, so that the first real kernels invalidate nothing stale.</summary>
    public string KernelSourceHash => "none";

    public DeviceKind DeviceKind => DeviceKind.Cuda;

    public SupportDecision CheckSupport(DeviceInfo device, MoeShape problem) => SupportDecision.No(NotImplemented);

    public IPreparedMoeLayer Prepare(MoeWeights weights, PrepareContext context) =>
        throw new NotSupportedException($"{Name} cannot prepare a layer: {NotImplemented}");
}
