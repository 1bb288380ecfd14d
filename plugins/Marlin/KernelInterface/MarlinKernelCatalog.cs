using MoeTune.Cuda.Compilation;

namespace MoeTune.Plugins.Marlin.KernelInterface;

/// <summary>
/// Every kernel build Marlin compiles, for the CI compile gate: both builds for sm_80, sm_89 and sm_90a. The kernels use
/// only SM 8.0 instructions (mma.sync, cp.async, createpolicy), so newer targets such as sm_120a compile them too.
/// </summary>
public sealed class MarlinKernelCatalog : IKernelCatalog
{
    public IReadOnlyList<GpuArch> Architectures { get; } = [GpuArch.Sm80, GpuArch.Sm89, GpuArch.Sm90a];

    public IEnumerable<KernelBuild> Builds => MarlinKernelSources.All;
}
