using MoeTune.Cuda.Compilation;

namespace MoeTune.Cuda.Ceilings;

/// <summary>
/// The kernels behind the hardware ceilings that <c>moetune bench</c> measures (kernels/ceilings.cu): the read-only
/// memory sweep and the random fills of the dense GEMM's operands. Also the catalog the compile gate enumerates.
/// </summary>
public sealed class CeilingKernels : IKernelCatalog
{
    public const string ReadKernel = "moetune_ceiling_read";

    public const string FillBf16Kernel = "moetune_ceiling_fill_bf16";

    public const string FillE4m3Kernel = "moetune_ceiling_fill_e4m3";

    public static KernelBuild Build { get; } = new()
    {
        Name = "moetune/ceilings",
        Source = KernelSource.FromResource(typeof(CeilingKernels).Assembly, "kernels/ceilings.cu"),
        KernelNames = [ReadKernel, FillBf16Kernel, FillE4m3Kernel],
        Requirement = ArchRequirement.Sm80Plus,
    };

    /// <summary>Ampere, Ada, Hopper and Blackwell: the sweep uses nothing newer than sm_80's instructions.</summary>
    public IReadOnlyList<GpuArch> Architectures { get; } = [GpuArch.Sm80, GpuArch.Sm89, GpuArch.Sm90, GpuArch.Sm100, GpuArch.Sm120];

    public IEnumerable<KernelBuild> Builds => [Build];
}
