using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;

namespace MoeTune.Plugins.CuteDsl;

/// <summary>
/// CuteDsl (planned): a fully fused expert MLP, GEMM1 → activation → GEMM2 in one kernel with the intermediate kept on chip, aimed at small expert intermediates (768, 1024, 2048).
/// Its kernels are not written yet, so it is registered (users can name it, and `moetune backends` lists it)
/// but answers "not supported" for every problem, with that reason. It never produces output.
/// </summary>
public sealed class CuteDslBackend : IMoeBackend
{
    internal const string NotImplemented =
        "the CuteDsl kernels are not implemented yet; MoeTune never fakes a backend's output";

    public string Name => "CuteDsl";

    public IReadOnlyList<string> Aliases { get; } = ["FLASHINFER_CUTEDSL"];

    public string Version => "0.0.0";

    /// <summary>No kernel sources yet: the hash of nothing, so that the first real kernels invalidate nothing stale.</summary>
    public string KernelSourceHash => "none";

    public DeviceKind DeviceKind => DeviceKind.Cuda;

    public SupportDecision CheckSupport(DeviceInfo device, MoeShape problem) => SupportDecision.No(NotImplemented);

    public IPreparedMoeLayer Prepare(MoeWeights weights, PrepareContext context) =>
        throw new NotSupportedException($"{Name} cannot prepare a layer: {NotImplemented}");
}
