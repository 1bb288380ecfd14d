using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using MoeTune.Abstractions.Problems;
using MoeTune.Cuda.Compilation;
using MoeTune.Plugins.Marlin;
using MoeTune.Plugins.Marlin.KernelInterface;
using MoeTune.Plugins.Marlin.Layout;
using MoeTune.Plugins.Marlin.Planning;
using MoeTune.Plugins.Marlin.Runtime;

namespace MoeTune.Plugins.Tests.Marlin;

/// <summary>The host's copies of the kernels' ABI (parameter struct, constants, codes) read against the kernel sources themselves.</summary>
public sealed partial class KernelInterfaceTests
{
    [Fact]
    public void The_parameter_struct_mirrors_marlin_params_field_by_field()
    {
        var header = Source("kernels/marlin_params.cuh");
        var body = header[header.IndexOf("struct MarlinParams", StringComparison.Ordinal)..];
        body = body[(body.IndexOf('{') + 1)..body.IndexOf("};", StringComparison.Ordinal)];
        var device = FieldPattern().Matches(body)
            .Select(m => (Name: Normalize(m.Groups["name"].Value), Pointer: m.Groups["pointer"].Success, Type: m.Groups["type"].Value))
            .ToArray();
        var host = typeof(MarlinKernelParams).GetFields().Select(f => (Name: Normalize(f.Name), Pointer: f.FieldType == typeof(nint), Type: f.FieldType.Name)).ToArray();
        Assert.Equal(device.Select(d => (d.Name, d.Pointer)), host.Select(h => (h.Name, h.Pointer)));
        Assert.All(device.Where(d => !d.Pointer), d => Assert.Equal("int", d.Type));
        Assert.Equal((8 * 14) + (4 * 14), Marshal.SizeOf<MarlinKernelParams>());
    }

    [Fact]
    public void Kernel_limits_match_the_defines()
    {
        var defines = Defines(
            "kernels/marlin_decode_common.cuh", "kernels/marlin_decode.cu", "kernels/marlin_decode_bulk.cu", "kernels/marlin_prefill.cu", "kernels/marlin_device.cuh");
        Assert.Equal(KernelLimits.DecodeWarps, defines["DECODE_WARPS"]);
        Assert.Equal(KernelLimits.DecodeThreads, defines["DECODE_THREADS"]);
        Assert.Equal(KernelLimits.DecodeMaxCtaWarps, defines["DECODE_MAX_CTA_WARPS"]);
        Assert.Equal(KernelLimits.DecodeBulkWarps, defines["DECODE_BULK_WARPS"]);
        Assert.Equal(KernelLimits.DecodeBulkThreads, defines["DECODE_BULK_THREADS"]);
        Assert.Equal(KernelLimits.DecodeBulkStageRecords, defines["DECODE_BULK_STAGE_RECORDS"]);
        Assert.Equal(KernelLimits.DecodeItemTiles, defines["MARLIN_ITEM_TILES"]);
        Assert.Equal(KernelLimits.DecodeGemm2PrefetchExperts, defines["MARLIN_GEMM2_PREFETCH_EXPERTS"]);
        Assert.Equal(KernelLimits.DecodeBulkMaxStages, defines["DECODE_BULK_MAX_STAGES"]);
        Assert.Equal(KernelLimits.DecodeBulkColumnSkew, defines["DECODE_BULK_COLUMN_SKEW"]);
        Assert.Equal(DecodeLaunch.BulkCtasPerSm(DecodePipeline.BulkCopy, 1), defines["DECODE_BULK_MIN_CTAS_NT1"]);
        Assert.Equal(DecodeLaunch.BulkCtasPerSm(DecodePipeline.BulkCopy, 2), defines["DECODE_BULK_MIN_CTAS_NT2"]);
        Assert.Equal(DecodeLaunch.BulkCtasPerSm(DecodePipeline.BulkCopyOverlapped, 1), defines["DECODE_OVERLAP_MIN_CTAS_NT1"]);
        Assert.Equal(DecodeLaunch.BulkCtasPerSm(DecodePipeline.BulkCopyOverlapped, 2), defines["DECODE_OVERLAP_MIN_CTAS_NT2"]);
        Assert.Equal(KernelLimits.DecodeStages, defines["DECODE_STAGES"]);
        Assert.Equal(KernelLimits.DecodeMaxPairs, defines["DECODE_MAX_PAIRS"]);
        Assert.Equal(KernelLimits.DecodeMaxExperts, defines["DECODE_MAX_EXPERTS"]);
        Assert.Equal(KernelLimits.DecodeColumnBytes, defines["DECODE_COLUMN_BYTES"]);
        Assert.Equal(KernelLimits.PrefillThreads, defines["PREFILL_THREADS"]);
        Assert.Equal(KernelLimits.PrefillBlockTiles, defines["PREFILL_BLOCK_TILES"]);
        Assert.Equal(KernelLimits.PrefillColumns, defines["PREFILL_COLUMNS"]);
        Assert.Equal(KernelLimits.RouteThreads, defines["ROUTE_THREADS"]);
        Assert.Equal(KernelLimits.RouteMaxExperts, defines["ROUTE_MAX_EXPERTS"]);
        Assert.Equal(FragmentLayout.ChunkK, defines["MARLIN_CHUNK_K"]);
        Assert.Equal(FragmentLayout.DataBytes, defines["MARLIN_DATA_BYTES"]);
        Assert.Equal(FragmentLayout.RecordBytes(WeightFormat.Nvfp4), defines["PREFILL_RECORD_MAX"]);
    }

    [Fact]
    public void Format_and_activation_codes_match_the_defines()
    {
        var defines = Defines("kernels/marlin_device.cuh");
        Assert.Equal(defines["MARLIN_FORMAT_NVFP4"], KernelCodes.Format(WeightFormat.Nvfp4));
        Assert.Equal(defines["MARLIN_FORMAT_MXFP4"], KernelCodes.Format(WeightFormat.Mxfp4));
        Assert.Equal(defines["MARLIN_ACT_SWIGLU"], KernelCodes.Activation(Activation.SwiGlu));
        Assert.Equal(defines["MARLIN_ACT_RELU2"], KernelCodes.Activation(Activation.ReluSquared));
        Assert.Equal(defines["MARLIN_ACT_SWIGLU_CLAMPED"], KernelCodes.Activation(Activation.ClampedSwiGlu));
    }

    [Fact]
    public void The_catalog_compiles_the_bulk_decode_build_for_hopper_only_and_the_others_for_ampere_ada_and_hopper()
    {
        var catalog = new MarlinKernelCatalog();
        Assert.Equal([GpuArch.Sm80, GpuArch.Sm89, GpuArch.Sm90a], catalog.Architectures);
        Assert.Equal(["marlin/decode", "marlin/decode-bulk", "marlin/prefill"], catalog.Builds.Select(b => b.Name));
        var targets = catalog.CompileTargets().Select(t => $"{t.Build.Name}@{t.Arch}").ToArray();
        Assert.Equal(
            ["marlin/decode@sm_80", "marlin/decode@sm_89", "marlin/decode@sm_90a", "marlin/decode-bulk@sm_90a",
             "marlin/prefill@sm_80", "marlin/prefill@sm_89", "marlin/prefill@sm_90a"],
            targets);
    }

    [Fact]
    public void Each_decode_build_holds_exactly_the_kernels_of_the_pipelines_that_load_it()
    {
        var pipelines = Enum.GetValues<DecodePipeline>();
        foreach (var build in pipelines.Select(MarlinKernelSources.DecodeOf).Distinct())
        {
            var names = pipelines.Where(p => MarlinKernelSources.DecodeOf(p) == build)
                .SelectMany(p => KernelNames.Decode(p).SelectMany(n => n))
                .Order(StringComparer.Ordinal);
            Assert.Equal(build.KernelNames.Order(StringComparer.Ordinal), names);
        }

        Assert.Equal(8, KernelNames.Decode(DecodePipeline.BulkCopy).Concat(KernelNames.Decode(DecodePipeline.BulkCopyOverlapped)).SelectMany(n => n).Distinct().Count());
    }

    [Fact]
    public void The_bulk_build_runs_from_compute_capability_9_0_with_no_arch_specific_target()
    {
        var requirement = MarlinKernelSources.DecodeBulk.Requirement;
        Assert.True(requirement.TrySelectTarget(9, 0, out var hopper, out _));
        Assert.Equal(GpuArch.Sm90, hopper);
        Assert.False(requirement.TrySelectTarget(8, 9, out _, out var reason));
        Assert.Contains("90", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_declared_kernel_is_an_extern_c_entry_point_of_its_source()
    {
        foreach (var build in MarlinKernelSources.All)
        {
            var entries = EntryPattern().Matches(build.Source.Code).Select(m => m.Groups["name"].Value).Order(StringComparer.Ordinal);
            Assert.Equal(build.KernelNames.Order(StringComparer.Ordinal), entries);
        }
    }

    [Fact]
    public void Every_include_resolves_to_a_marlin_or_shared_header()
    {
        Assert.All(MarlinKernelSources.All, b => Assert.Equal(MarlinKernelSources.Decode.Headers, b.Headers));
        var available = MarlinKernelSources.Decode.Headers.Concat(SharedHeaders.All).Select(h => h.Name).ToHashSet(StringComparer.Ordinal);
        var sources = MarlinKernelSources.All.Select(b => b.Source).Concat(MarlinKernelSources.Decode.Headers);
        foreach (var source in sources)
        {
            foreach (Match include in IncludePattern().Matches(source.Code))
            {
                Assert.Contains(include.Groups["name"].Value, available);
            }
        }
    }

    [Fact]
    public void The_source_hash_is_a_stable_sha256()
    {
        Assert.Matches("^[0-9a-f]{64}$", MarlinKernelSources.Hash);
        Assert.Equal(MarlinKernelSources.Hash, new MarlinBackend(new KernelCompiler(null)).KernelSourceHash);
    }

    private static string Source(string resource) => KernelSource.FromResource(typeof(MarlinBackend).Assembly, resource).Code;

    private static string Normalize(string name) => name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();

    /// <summary>#defines of integer constants, products of them included (for example (PREFILL_WARPS * 32)).</summary>
    private static Dictionary<string, int> Defines(params string[] resources)
    {
        var defines = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var resource in resources)
        {
            foreach (Match m in DefinePattern().Matches(Source(resource)))
            {
                var factors = m.Groups["value"].Value.Trim('(', ')', ' ').Split('*', StringSplitOptions.TrimEntries);
                if (factors.All(f => int.TryParse(f, NumberStyles.None, CultureInfo.InvariantCulture, out _) || defines.ContainsKey(f)))
                {
                    defines[m.Groups["name"].Value] = factors.Aggregate(1, (product, f) =>
                        product * (defines.TryGetValue(f, out var v) ? v : int.Parse(f, CultureInfo.InvariantCulture)));
                }
            }
        }

        return defines;
    }

    [GeneratedRegex(@"^\s*(?:const\s+)?(?<type>\w+)(?<pointer>\*)?\s+(?<name>\w+);", RegexOptions.Multiline)]
    private static partial Regex FieldPattern();

    [GeneratedRegex(@"^#define\s+(?<name>\w+)\s+(?<value>[^/\n]+?)\s*(?://.*)?$", RegexOptions.Multiline)]
    private static partial Regex DefinePattern();

    [GeneratedRegex(@"extern ""C"" __global__ void(?: __launch_bounds__\([^)]*\))? (?<name>\w+)\(")]
    private static partial Regex EntryPattern();

    [GeneratedRegex(@"^#include ""(?<name>[^""]+)""", RegexOptions.Multiline)]
    private static partial Regex IncludePattern();
}
