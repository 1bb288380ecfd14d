using MoeTune.Cuda.Compilation;
using MoeTune.Cuda.Native;

namespace MoeTune.KernelGate.Tests;

/// <summary>
/// The CI compile gate: every kernel build of every catalog compiles with NVRTC, with zero errors and no ptxas
/// "Potential Performance Loss" note, for every architecture its catalog declares (DESIGN.md: "up to sm_90a" with the NVRTC 12.4 that CI has; newer targets compile
/// where the NVRTC present knows them and are reported skipped where it does not). Without NVRTC every row is skipped
/// with the reason, never passed.
/// </summary>
public sealed class KernelGateTests
{
    public static TheoryData<string, string, string> Targets()
    {
        var rows = new TheoryData<string, string, string>();
        foreach (var catalog in KernelCatalogDiscovery.Catalogs)
        {
            foreach (var (build, arch) in catalog.CompileTargets())
            {
                rows.Add(KernelCatalogDiscovery.NameOf(catalog), build.Name, arch.ToString());
            }
        }

        return rows;
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Build_compiles_for_declared_arch(string catalog, string build, string arch)
    {
        Assert.SkipUnless(NvrtcLibrary.TryLoad(out var reason), $"NVRTC is not available (run tools/get-nvrtc, set MOETUNE_NVRTC): {reason}");
        var target = GpuArch.Parse(arch);
        Assert.SkipUnless(
            NvrtcLibrary.SupportedArchitectures.Contains(target.Capability),
            $"NVRTC {NvrtcLibrary.Version} cannot target {arch} (it knows {string.Join(", ", NvrtcLibrary.SupportedArchitectures)}); the gate's floor is sm_90a");

        var compiled = await GateCompilations.For(catalog, build, arch);

        Assert.NotEmpty(compiled.Cubin);
        // ptxas reports code it had to make slower than written, for example wgmma it serialised (C7518, which CUDA 13's
        // ptxas gave every bf16 grouped GEMM of FlashInferCutlass until session 10 and NVRTC 12.4 does not detect): such
        // a build compiles, but not into the kernel that was designed. The device's NVRTC runs this row (tools/gpu-run gate).
        var losses = compiled.Log.Split('\n').Where(line => line.Contains("Potential Performance Loss", StringComparison.Ordinal)).ToArray();
        Assert.True(losses.Length == 0, $"{build} for {arch} with NVRTC {NvrtcLibrary.Version}:{Environment.NewLine}{string.Join(Environment.NewLine, losses)}");
    }

    [Fact]
    public void Every_assembly_that_embeds_kernels_declares_a_catalog_with_builds()
    {
        // A plugin whose backend is not implemented yet carries no kernel source and needs no catalog; one that
        // embeds .cu sources without a catalog would ship kernels the gate never compiles.
        var problems = new List<string>();
        foreach (var assembly in KernelCatalogDiscovery.Assemblies())
        {
            var types = KernelCatalogDiscovery.CatalogTypes(assembly).ToArray();
            var kernelSources = assembly.GetManifestResourceNames().Where(n => n.EndsWith(".cu", StringComparison.Ordinal)).ToArray();
            if (types.Length == 0 && kernelSources.Length > 0)
            {
                problems.Add($"{assembly.GetName().Name} embeds {string.Join(", ", kernelSources)} but declares no public IKernelCatalog, so the gate cannot compile its kernels");
            }

            problems.AddRange(types.Where(t => t.GetConstructor(Type.EmptyTypes) is null).Select(t => $"{t.FullName} needs a public parameterless constructor"));
        }

        foreach (var catalog in KernelCatalogDiscovery.Catalogs)
        {
            if (!catalog.CompileTargets().Any())
            {
                problems.Add($"{KernelCatalogDiscovery.NameOf(catalog)} has no build that any of its declared architectures allows");
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Build_names_are_unique_within_each_catalog()
    {
        foreach (var catalog in KernelCatalogDiscovery.Catalogs)
        {
            var duplicates = catalog.Builds.GroupBy(b => b.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
            Assert.True(duplicates.Length == 0, $"{KernelCatalogDiscovery.NameOf(catalog)} repeats build names: {string.Join(", ", duplicates)}");
        }
    }
}
