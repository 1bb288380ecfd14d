using System.Globalization;
using MoeTune.Abstractions.Problems;
using MoeTune.Cuda.Compilation;

namespace MoeTune.Plugins.FlashInferCutlass.Kernels;

/// <summary>
/// Every kernel build of the backend: routing, gather and combine (one each) and the grouped GEMM in each
/// (epilogue, weight format, pipeline) it serves. All target sm_90a only (wgmma, setmaxnreg); the CI compile gate
/// builds them all through this catalog.
/// </summary>
public sealed class FlashInferCutlassKernels : IKernelCatalog
{
    /// <summary>Routing in two launches: the grid-wide expert histogram, then the scan and the scatter (kernels/fic_route.cu).</summary>
    public static KernelBuild Route { get; } = Auxiliary("route", "fic_route.cu", RouteCountKernelName, RoutePlaceKernelName);

    public const string RouteCountKernelName = "fic_route_count";

    public const string RoutePlaceKernelName = "fic_route_place";

    public static KernelBuild Gather { get; } = Auxiliary("gather", "fic_gather.cu", "fic_gather");

    public static KernelBuild Combine { get; } = Auxiliary("combine", "fic_combine.cu", "fic_combine");

    /// <summary>The grouped GEMM's entry point in every variant.</summary>
    public const string GemmKernelName = "fic_grouped_gemm";

    /// <summary>
    /// Every grouped GEMM variant: both GEMM1 epilogues and GEMM2, in bf16 and NVFP4, with every pipeline (one per
    /// distinct build: bf16 builds have no NVFP4 path, GEMM2 never gathers).
    /// </summary>
    public static IReadOnlyList<GemmVariant> GemmVariants { get; } =
    [
        .. (from format in new[] { WeightFormat.Bf16, WeightFormat.Nvfp4 }
            from epilogue in new[] { GemmEpilogue.SwiGlu, GemmEpilogue.ReluSquared, GemmEpilogue.WeightedScatter }
            from pipeline in GemmPipeline.All
            select new GemmVariant(epilogue, format, pipeline)).DistinctBy(v => v.BuildName),
    ];

    public IReadOnlyList<GpuArch> Architectures { get; } = [GpuArch.Sm90a];

    public IEnumerable<KernelBuild> Builds => [Route, Gather, Combine, .. GemmVariants.Select(Gemm)];

    /// <summary>The build of one grouped GEMM variant.</summary>
    public static KernelBuild Gemm(GemmVariant variant)
    {
        ArgumentNullException.ThrowIfNull(variant);
        return new KernelBuild
        {
            Name = variant.BuildName,
            Source = KernelSources.Unit("fic_grouped_gemm.cu"),
            KernelNames = [GemmKernelName],
            Headers = KernelSources.Headers,
            Requirement = ArchRequirement.Sm90aOnly,
            Defines = variant.Defines.ToDictionary(d => d.Key, d => d.Value.ToString(CultureInfo.InvariantCulture)),
        };
    }

    private static KernelBuild Auxiliary(string name, string file, params string[] kernels) => new()
    {
        Name = "flashinfer-cutlass/" + name,
        Source = KernelSources.Unit(file),
        KernelNames = kernels,
        Headers = KernelSources.Headers,
        Requirement = ArchRequirement.Sm90aOnly,
    };
}
