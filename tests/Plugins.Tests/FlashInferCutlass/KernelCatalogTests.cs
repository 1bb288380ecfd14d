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
        // Route, gather, combine; bf16: 2 GEMM1 epilogues x (gather kernel, gather in GEMM) + GEMM2; NVFP4 tiles: the
        // same five; NVFP4 fragments: the same five; bf16 fragments: 2 GEMM1 epilogues (gather kernel) + GEMM2; bf16 tile
        // pairs: the same three.
        Assert.Equal(3 + 5 + 5 + 5 + 3 + 3, builds.Count);
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
    public void Gemm_builds_carry_their_epilogue_format_path_gather_stage_count_and_shared_memory()
    {
        var variant = new GemmVariant(GemmEpilogue.ReluSquared, WeightFormat.Nvfp4, GemmPipeline.FusedGather);
        var build = FlashInferCutlassKernels.Gemm(variant);
        Assert.Equal("flashinfer-cutlass/gemm-relu2-nvfp4-tiles-gather", build.Name);
        Assert.Equal("2", build.Defines["FIC_EPILOGUE"]);
        Assert.Equal("1", build.Defines["FIC_WEIGHTS"]);
        Assert.Equal("0", build.Defines["FIC_FRAGMENTS"]);
        Assert.Equal("1", build.Defines["FIC_GATHER"]);
        Assert.Equal("5", build.Defines["FIC_STAGES"]);
        Assert.Equal("227968", build.Defines["FIC_SMEM_BYTES"]);
        Assert.Contains("-DFIC_STAGES=5", build.CompileOptions(GpuArch.Sm90a));
    }

    [Fact]
    public void Tile_pairs_run_bf16_tiles_in_clusters_of_two_and_NVFP4_as_fragments_alone()
    {
        var first = GemmVariant.FirstGemm(Activation.SwiGlu, WeightFormat.Bf16, GemmPipeline.TilePairs);
        var second = GemmVariant.SecondGemm(WeightFormat.Bf16, GemmPipeline.TilePairs);
        var build = FlashInferCutlassKernels.Gemm(first);
        Assert.Equal("flashinfer-cutlass/gemm-swiglu-bf16-pairs", build.Name);
        Assert.Equal("1", build.Defines["FIC_PAIRS"]);
        Assert.Equal((2, 2), (first.ClusterSize, second.ClusterSize));
        // Two more barriers and one more slot than the single-CTA build: 197716 + 16 + 4 (fic_pipeline.cuh).
        Assert.Equal("197736", build.Defines["FIC_SMEM_BYTES"]);
        Assert.Equal("197716", FlashInferCutlassKernels.Gemm(GemmVariant.FirstGemm(Activation.SwiGlu, WeightFormat.Bf16)).Defines["FIC_SMEM_BYTES"]);

        var fp4 = GemmVariant.FirstGemm(Activation.SwiGlu, WeightFormat.Nvfp4, GemmPipeline.TilePairs);
        Assert.Equal(GemmForm.Fragments, fp4.Form);
        Assert.Equal("0", FlashInferCutlassKernels.Gemm(fp4).Defines["FIC_PAIRS"]);
        Assert.Equal(1, fp4.ClusterSize);
    }

    [Fact]
    public void The_default_pipelines_gather_by_a_kernel_and_take_NVFP4_as_register_fragments()
    {
        Assert.Equal(GemmPipeline.SeparateGather, GemmPipeline.DefaultFor(WeightFormat.Bf16));
        Assert.Equal(GemmPipeline.Fragments, GemmPipeline.DefaultFor(WeightFormat.Nvfp4));
        Assert.Equal("flashinfer-cutlass/gemm-swiglu-nvfp4-fragments", GemmVariant.FirstGemm(Activation.SwiGlu, WeightFormat.Nvfp4).BuildName);
        Assert.Equal("flashinfer-cutlass/gemm-scatter-nvfp4-fragments", GemmVariant.SecondGemm(WeightFormat.Nvfp4).BuildName);
        var nvfp4 = FlashInferCutlassKernels.Gemm(GemmVariant.FirstGemm(Activation.SwiGlu, WeightFormat.Nvfp4));
        Assert.Equal("1", nvfp4.Defines["FIC_FRAGMENTS"]);
        Assert.Equal("0", nvfp4.Defines["FIC_GATHER"]);
        Assert.Equal("flashinfer-cutlass/gemm-swiglu-nvfp4-tiles", GemmVariant.FirstGemm(Activation.SwiGlu, WeightFormat.Nvfp4, GemmPipeline.SeparateGather).BuildName);
        Assert.Equal("flashinfer-cutlass/gemm-swiglu-bf16", GemmVariant.FirstGemm(Activation.SwiGlu, WeightFormat.Bf16).BuildName);
        Assert.Equal("flashinfer-cutlass/gemm-swiglu-bf16-fragments", GemmVariant.FirstGemm(Activation.SwiGlu, WeightFormat.Bf16, GemmPipeline.Fragments).BuildName);
        Assert.Equal(
            GemmVariant.FirstGemm(Activation.SwiGlu, WeightFormat.Bf16, GemmPipeline.FusedGather).BuildName,
            GemmVariant.FirstGemm(Activation.SwiGlu, WeightFormat.Bf16, GemmPipeline.RegisterFp4).BuildName);
        Assert.Equal("flashinfer-cutlass/gemm-swiglu-nvfp4-fragments-gather", GemmVariant.FirstGemm(Activation.SwiGlu, WeightFormat.Nvfp4, GemmPipeline.RegisterFp4).BuildName);
        Assert.Equal("flashinfer-cutlass/gemm-swiglu-nvfp4-fragments", GemmVariant.FirstGemm(Activation.SwiGlu, WeightFormat.Nvfp4, GemmPipeline.RegisterFp4SeparateGather).BuildName);
        Assert.Equal(
            GemmVariant.FirstGemm(Activation.SwiGlu, WeightFormat.Bf16, GemmPipeline.SeparateGather).BuildName,
            GemmVariant.FirstGemm(Activation.SwiGlu, WeightFormat.Bf16, GemmPipeline.RegisterFp4SeparateGather).BuildName);
        Assert.Equal("flashinfer-cutlass/gemm-swiglu-bf16-fragments", GemmVariant.FirstGemm(Activation.SwiGlu, WeightFormat.Bf16, GemmPipeline.Fragments).BuildName);
        Assert.Equal(
            GemmVariant.SecondGemm(WeightFormat.Nvfp4, GemmPipeline.RegisterFp4SeparateGather).BuildName,
            GemmVariant.SecondGemm(WeightFormat.Nvfp4, GemmPipeline.Fragments).BuildName);
        Assert.Equal("1", FlashInferCutlassKernels.Gemm(GemmVariant.SecondGemm(WeightFormat.Bf16, GemmPipeline.Fragments)).Defines["FIC_FRAGMENTS"]);
        Assert.Equal(GemmPipeline.RegisterFp4, GemmPipeline.Parse("register-fp4"));
        Assert.Contains("separate-gather", Assert.Throws<ArgumentException>(() => GemmPipeline.Parse("fast")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_environment_variable_names_the_layers_pipeline_and_a_wrong_name_is_an_error()
    {
        Assert.Equal(GemmPipeline.DefaultFor(WeightFormat.Bf16), GemmPipeline.Choose(WeightFormat.Bf16, null));
        Assert.Equal(GemmPipeline.DefaultFor(WeightFormat.Nvfp4), GemmPipeline.Choose(WeightFormat.Nvfp4, "  "));
        Assert.Equal(GemmPipeline.Fragments, GemmPipeline.Choose(WeightFormat.Bf16, " fragments "));
        var error = Assert.Throws<ArgumentException>(() => GemmPipeline.Choose(WeightFormat.Bf16, "fastest"));
        Assert.Contains(GemmPipeline.EnvironmentVariable, error.Message, StringComparison.Ordinal);
        Assert.Contains("separate-gather", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(GemmEpilogue.WeightedScatter, WeightFormat.Bf16, "separate-gather", 4, 197_716)]   // 4 x 48 KiB, 8 barriers, 5 slots
    [InlineData(GemmEpilogue.SwiGlu, WeightFormat.Bf16, "fused-gather", 4, 198_228)]               // + 128 gathered rows' token indices
    [InlineData(GemmEpilogue.WeightedScatter, WeightFormat.Nvfp4, "separate-gather", 5, 227_456)]  // 5 x 25 KiB + 3 x 32 KiB, 13 barriers
    [InlineData(GemmEpilogue.SwiGlu, WeightFormat.Nvfp4, "register-fp4", 5, 224_360)]              // 5 x 37 KiB, 32 KiB staging, 256 indices
    [InlineData(GemmEpilogue.SwiGlu, WeightFormat.Nvfp4, "register-fp4-separate-gather", 5, 223_336)]  // as above without the indices
    [InlineData(GemmEpilogue.ReluSquared, WeightFormat.Nvfp4, "register-fp4", 4, 219_220)]         // 4 x 37 KiB, 64 KiB staging
    [InlineData(GemmEpilogue.SwiGlu, WeightFormat.Bf16, "fragments", 4, 230_484)]                 // 4 x 48 KiB, 32 KiB staging
    [InlineData(GemmEpilogue.WeightedScatter, WeightFormat.Bf16, "fragments", 3, 218_176)]        // 3 x 48 KiB, 64 KiB staging, 2 x 256 row infos
    [InlineData(GemmEpilogue.WeightedScatter, WeightFormat.Nvfp4, "register-fp4", 4, 222_292)]     // 4 x 37 KiB, 64 KiB staging, 4 KiB row info
    public void Shared_memory_fits_the_227_KiB_opt_in(GemmEpilogue epilogue, WeightFormat format, string pipeline, int stages, int bytes)
    {
        var variant = new GemmVariant(epilogue, format, GemmPipeline.Parse(pipeline));
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
        // struct GemmArgs in fic_gemm_args.cuh: ten 8-byte pointers, then six ints.
        Assert.Equal(104, Marshal.SizeOf<GemmArguments>());
        Assert.Equal(64, Marshal.OffsetOf<GemmArguments>(nameof(GemmArguments.ExpertScales)).ToInt32());
        Assert.Equal(72, Marshal.OffsetOf<GemmArguments>(nameof(GemmArguments.WorkCounters)).ToInt32());
        Assert.Equal(80, Marshal.OffsetOf<GemmArguments>(nameof(GemmArguments.Experts)).ToInt32());
        Assert.Equal(92, Marshal.OffsetOf<GemmArguments>(nameof(GemmArguments.OutCols)).ToInt32());
        Assert.Equal(100, Marshal.OffsetOf<GemmArguments>(nameof(GemmArguments.TopK)).ToInt32());
    }
}
