namespace MoeTune.Cuda.Compilation;

/// <summary>
/// The device headers every build may include (<c>#include "moetune/bf16.cuh"</c>): src/Cuda/include/moetune/*.cuh,
/// embedded in this assembly and handed to NVRTC in memory. They use no system header at all.
/// </summary>
public static class SharedHeaders
{
    private const string Prefix = "include/";

    private static readonly Lazy<IReadOnlyList<KernelSource>> Headers = new(Load);

    /// <summary>Every shared header, named by its include path (<c>moetune/bf16.cuh</c>), in name order.</summary>
    public static IReadOnlyList<KernelSource> All => Headers.Value;

    private static KernelSource[] Load()
    {
        var assembly = typeof(SharedHeaders).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => KernelSource.FromResource(assembly, n) with { Name = n[Prefix.Length..] })
            .ToArray();
    }
}
