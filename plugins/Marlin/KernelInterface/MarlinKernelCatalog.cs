using MoeTune.Cuda.Compilation;

namespace MoeTune.Plugins.Marlin.KernelInterface;

/// <summary>
/// Every kernel build Marlin compiles, for the CI compile gate: the register-ring decode and prefill builds for sm_80,
/// sm_89 and sm_90a (they use only SM 8.0 instructions: mma.sync, cp.async, createpolicy), the bulk-copy decode build for
/// sm_90a (it needs SM 9.0's bulk copies and mbarrier transaction counts, nothing arch-specific).
/// </summary>
public sealed class MarlinKernelCatalog : IKernelCatalog
{
    public IReadOnlyList<GpuArch> Architectures { get; } = [GpuArch.Sm80, GpuArch.Sm89, GpuArch.Sm90a];

    public IEnumerable<KernelBuild> Builds => MarlinKernelSources.All;
}
