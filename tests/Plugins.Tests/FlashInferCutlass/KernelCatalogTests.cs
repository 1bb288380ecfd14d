using System.Runtime.InteropServices;
using MoeTune.Abstractions.Problems;
using MoeTune.Cuda.Compilation;
using MoeTune.Plugins.FlashInferCutlass.Kernels;
using MoeTune.Plugins.FlashInferCutlass.Runtime;

namespace MoeTune.Plugins.Tests.FlashInferCutlass;

public sealed class KernelCatalogTests
{
    private readonly FlashInferCutlassKernels catalog = new();

    [Fact]
    public void Every_build_targets_sm_90a_only_and_has_a_unique_name()
    {
        var builds = catalog.Builds.ToList();
        Assert.Equal(9, builds.Count);
        Assert.Equal(builds.Count, builds.Select(b => b.Name).Distinct().Count());
        Assert.All(builds, b => Assert.Equal(ArchRequirement.Sm90aOnly, b.Requirement));
        Assert.Equal([GpuArch.Sm90a], catalog.CompileTargets().Select(t => t.Arch).Distinct());
    }

    [Fact]
    public void Every_embedded_compile_unit_is_built_and_every_header_is_handed_over()
    {
        var units = KernelSources.All.Where(s => s.Name.EndsWith(".cu", StringComparison.Ordinal)).Select(s => s.Name);
        Assert.Equal(units.Order(), catalog.Builds.Select(b => b.Source.Name).Distinct().Order());
        var headers = KernelSources.Headers.Select(h => h.Name).ToList();
        Assert.Contains("fic_sm90.cuh", headers);
        Assert.All(catalog.Builds, b => Assert.Equal(headers, b.Headers.Select(h => h.Name)));
    }

    [Fact]
    public void Gemm_builds_carry_their_epilogue_format_and_stage_count()
    {
        var build = FlashInferCutlassKernels.Gemm(new GemmVariant(GemmEpilogue.ReluSquared, WeightFormat.Nvfp4));
        Assert.Equal("flashinfer-cutlass/gemm-relu2-nvfp4", build.Name);
        Assert.Equal("2", build.Defines["FIC_EPILOGUE"]);
        Assert.Equal("1", build.Defines["FIC_WEIGHTS"]);
        Assert.Equal("3", build.Defines["FIC_STAGES"]);
        Assert.Contains("-DFIC_STAGES=3", build.CompileOptions(GpuArch.Sm90a));
    }

    [Theory]
    [InlineData(WeightFormat.Bf16, 197_728)]
    [InlineData(WeightFormat.Nvfp4, 176_200)]
    public void Shared_memory_fits_the_227_KiB_opt_in(WeightFormat format, int bytes)
    {
        var variant = GemmVariant.SecondGemm(format);
        Assert.Equal(bytes, variant.SharedMemoryBytes);
        Assert.True(variant.SharedMemoryBytes <= 227 * 1024);
        Assert.Equal(0, variant.StageBytes % 1024);
    }

    [Fact]
    public void The_source_hash_covers_every_file_and_the_shared_headers()
    {
        var files = KernelSources.All.Concat(SharedHeaders.All).ToList();
        Assert.Equal(KernelSources.Sha256, KernelSources.Hash(files));
        Assert.Contains(files, f => f.Name == "moetune/bf16.cuh");
        foreach (var changedName in new[] { "fic_fp4.cuh", "moetune/bf16.cuh" })
        {
            var changed = files.Select(f => f.Name == changedName ? f with { Code = f.Code + " " } : f);
            Assert.NotEqual(KernelSources.Sha256, KernelSources.Hash(changed));
        }

        Assert.Matches("^[0-9a-f]{64}$", KernelSources.Sha256);
    }

    [Fact]
    public void Gemm_arguments_have_the_device_struct_layout()
    {
        // struct GemmArgs in fic_grouped_gemm.cu: nine 8-byte pointers, then four ints.
        Assert.Equal(88, Marshal.SizeOf<GemmArguments>());
        Assert.Equal(64, Marshal.OffsetOf<GemmArguments>(nameof(GemmArguments.ExpertScales)).ToInt32());
        Assert.Equal(72, Marshal.OffsetOf<GemmArguments>(nameof(GemmArguments.Experts)).ToInt32());
        Assert.Equal(84, Marshal.OffsetOf<GemmArguments>(nameof(GemmArguments.OutCols)).ToInt32());
    }
}
