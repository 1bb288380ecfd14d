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
        // Route, gather, combine; 3 epilogues x (bf16: 2 schedulings; NVFP4: 2 schedulings x 2 converters).
        Assert.Equal(3 + (3 * 2) + (3 * 4), builds.Count);
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
    public void Gemm_builds_carry_their_epilogue_format_pipeline_stage_count_and_shared_memory()
    {
        var variant = new GemmVariant(GemmEpilogue.ReluSquared, WeightFormat.Nvfp4, GemmPipeline.StaticProducer);
        var build = FlashInferCutlassKernels.Gemm(variant);
        Assert.Equal("flashinfer-cutlass/gemm-relu2-nvfp4-static-producer", build.Name);
        Assert.Equal("2", build.Defines["FIC_EPILOGUE"]);
        Assert.Equal("1", build.Defines["FIC_WEIGHTS"]);
        Assert.Equal("0", build.Defines["FIC_SCHEDULER"]);
        Assert.Equal("0", build.Defines["FIC_CONVERTER"]);
        Assert.Equal("3", build.Defines["FIC_STAGES"]);
        Assert.Equal("176212", build.Defines["FIC_SMEM_BYTES"]);
        Assert.Contains("-DFIC_STAGES=3", build.CompileOptions(GpuArch.Sm90a));
    }

    [Fact]
    public void The_default_pipeline_is_dynamic_with_consumer_conversion_and_bf16_ignores_the_converter()
    {
        Assert.Equal("flashinfer-cutlass/gemm-swiglu-nvfp4", GemmVariant.FirstGemm(Activation.SwiGlu, WeightFormat.Nvfp4).BuildName);
        var nvfp4 = FlashInferCutlassKernels.Gemm(GemmVariant.SecondGemm(WeightFormat.Nvfp4));
        Assert.Equal("1", nvfp4.Defines["FIC_CONVERTER"]);
        Assert.Equal("1", nvfp4.Defines["FIC_SCHEDULER"]);
        var bf16 = GemmVariant.SecondGemm(WeightFormat.Bf16, GemmPipeline.DynamicProducer);
        Assert.Equal(GemmVariant.SecondGemm(WeightFormat.Bf16).BuildName, bf16.BuildName);
        Assert.Equal("0", FlashInferCutlassKernels.Gemm(bf16).Defines["FIC_CONVERTER"]);
        Assert.Equal(GemmPipeline.StaticProducer, GemmPipeline.Parse("static-producer"));
        Assert.Contains("dynamic-consumer", Assert.Throws<ArgumentException>(() => GemmPipeline.Parse("fast")).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(WeightFormat.Bf16, "dynamic-consumer", 4, 197_712)]   // 4 x 48 KiB, 8 barriers, 4 work-item slots
    [InlineData(WeightFormat.Nvfp4, "static-producer", 3, 176_212)]   // 3 x 57 KiB, 9 barriers, 3 slots
    [InlineData(WeightFormat.Nvfp4, "dynamic-consumer", 5, 227_452)]  // 5 x 25 KiB + 3 x 32 KiB, 13 barriers, 5 slots
    public void Shared_memory_fits_the_227_KiB_opt_in(WeightFormat format, string pipeline, int stages, int bytes)
    {
        var variant = GemmVariant.SecondGemm(format, GemmPipeline.Parse(pipeline));
        Assert.Equal(stages, variant.Stages);
        Assert.Equal(bytes, variant.SharedMemoryBytes);
        Assert.Equal(0, variant.StageBytes % 1024);
        Assert.All(FlashInferCutlassKernels.GemmVariants, v => Assert.True(v.SharedMemoryBytes <= TestShapes.H100.MaxSharedMemoryPerBlockOptin, v.BuildName));
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
        // struct GemmArgs in fic_gemm_args.cuh: ten 8-byte pointers, then four ints.
        Assert.Equal(96, Marshal.SizeOf<GemmArguments>());
        Assert.Equal(64, Marshal.OffsetOf<GemmArguments>(nameof(GemmArguments.ExpertScales)).ToInt32());
        Assert.Equal(72, Marshal.OffsetOf<GemmArguments>(nameof(GemmArguments.WorkCounters)).ToInt32());
        Assert.Equal(80, Marshal.OffsetOf<GemmArguments>(nameof(GemmArguments.Experts)).ToInt32());
        Assert.Equal(92, Marshal.OffsetOf<GemmArguments>(nameof(GemmArguments.OutCols)).ToInt32());
    }
}
