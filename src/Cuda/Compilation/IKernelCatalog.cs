namespace MoeTune.Cuda.Compilation;

/// <summary>
/// Every kernel build a component will ever compile, and the architectures it ships for. Plugins implement it (with a
/// public parameterless constructor) so that the CI compile gate can build all of their kernels without a GPU.
/// </summary>
public interface IKernelCatalog
{
    /// <summary>The targets this component supports, for example sm_80, sm_89, sm_90a.</summary>
    IReadOnlyList<GpuArch> Architectures { get; }

    IEnumerable<KernelBuild> Builds { get; }
}

public static class KernelCatalogs
{
    /// <summary>Each (build, arch) pair the catalog compiles: every declared architecture the build's requirement allows.</summary>
    public static IEnumerable<(KernelBuild Build, GpuArch Arch)> CompileTargets(this IKernelCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        foreach (var build in catalog.Builds)
        {
            foreach (var arch in catalog.Architectures.Where(build.Requirement.Allows))
            {
                yield return (build, arch);
            }
        }
    }
}
