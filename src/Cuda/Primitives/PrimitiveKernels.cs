using MoeTune.Cuda.Compilation;

namespace MoeTune.Cuda.Primitives;

/// <summary>
/// src/Cuda's own kernel builds: the shared GPU primitives and the header self-tests. Also the catalog the compile
/// gate enumerates for this assembly.
/// </summary>
public sealed class PrimitiveKernels : IKernelCatalog
{
    public static KernelBuild Routing { get; } = Build("moetune/routing_topk", "routing_topk.cu", "moetune_route_topk");

    public static KernelBuild Alignment { get; } =
        Build("moetune/expert_align", "expert_align.cu", "moetune_align_count", "moetune_align_scan", "moetune_align_scatter");

    public static KernelBuild Reduction { get; } = Build("moetune/topk_reduce", "topk_reduce.cu", "moetune_topk_reduce_bf16");

    public static KernelBuild HeaderSelfTest { get; } =
        Build("moetune/header_selftest", "header_selftest.cu", "moetune_selftest_formats", "moetune_selftest_mma");

    /// <summary>sm_80 and sm_89 (Ampere, Ada), sm_90 (Hopper), sm_100 and sm_120 (Blackwell; where NVRTC knows them).</summary>
    public IReadOnlyList<GpuArch> Architectures { get; } = [GpuArch.Sm80, GpuArch.Sm89, GpuArch.Sm90, GpuArch.Sm100, GpuArch.Sm120];

    public IEnumerable<KernelBuild> Builds => [Routing, Alignment, Reduction, HeaderSelfTest];

    private static KernelBuild Build(string name, string file, params string[] kernels) => new()
    {
        Name = name,
        Source = KernelSource.FromResource(typeof(PrimitiveKernels).Assembly, "kernels/" + file),
        KernelNames = kernels,
        Requirement = ArchRequirement.Sm80Plus,
    };
}
