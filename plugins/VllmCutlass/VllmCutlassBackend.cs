using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;

namespace MoeTune.Plugins.VllmCutlass;

/// <summary>
/// VllmCutlass (planned): an explicit pipeline with device-computed expert offsets (no host sync, graph-capturable), a separate activation and a deterministic top-k reduction; BF16 and FP8 W8A8, NVFP4 via FP8 compute.
/// Its kernels are not written yet, so it is registered (users can name it, and `moetune backends` lists it)
/// but answers "not supported" for every problem, with that reason. It never produces output.
/// </summary>
public sealed class VllmCutlassBackend : IMoeBackend
{
    internal const string NotImplemented =
        "the VllmCutlass kernels are not implemented yet; MoeTune never fakes a backend's output";

    public string Name => "VllmCutlass";

    public IReadOnlyList<string> Aliases { get; } = ["VLLM_CUTLASS"];

    public string Version => "0.0.0";

    /// <summary>No kernel sources yet: the hash of nothing, so that the first real kernels invalidate nothing stale.</summary>
    public string KernelSourceHash => "none";

    public DeviceKind DeviceKind => DeviceKind.Cuda;

    public SupportDecision CheckSupport(DeviceInfo device, MoeShape problem) => SupportDecision.No(NotImplemented);

    public IPreparedMoeLayer Prepare(MoeWeights weights, PrepareContext context) =>
        throw new NotSupportedException($"{Name} cannot prepare a layer: {NotImplemented}");
}
