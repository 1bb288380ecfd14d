using System.Security.Cryptography;
using System.Text;
using MoeTune.Cuda.Compilation;
using MoeTune.Plugins.Marlin.Planning;

namespace MoeTune.Plugins.Marlin.KernelInterface;

/// <summary>
/// Marlin's kernel builds (embedded kernels/*.cu and *.cuh) and the hash that ties stored measurements to them.
/// Three builds: the register-ring decode pipeline and the prefill path for SM 8.0 and newer, the bulk-copy decode
/// pipelines (both ways of ending an item, <see cref="DecodePipeline.BulkCopy"/> and
/// <see cref="DecodePipeline.BulkCopyOverlapped"/>) for SM 9.0 and newer. Activation and sizes are run-time parameters; each decode build holds one kernel per
/// weight format and n-tile count (record size and scale decoding are compile-time).
/// </summary>
public static class MarlinKernelSources
{
    private static readonly Lazy<KernelSource[]> OwnHeaders = new(() =>
        [Load("kernels/marlin_device.cuh"), Load("kernels/marlin_params.cuh"), Load("kernels/marlin_decode_common.cuh")]);

    private static readonly Lazy<KernelBuild> DecodeBuild = new(() => Build(
        "marlin/decode",
        "kernels/marlin_decode.cu",
        KernelNames.DecodeNvfp4OneTile,
        KernelNames.DecodeNvfp4TwoTiles,
        KernelNames.DecodeMxfp4OneTile,
        KernelNames.DecodeMxfp4TwoTiles));

    private static readonly Lazy<KernelBuild> DecodeBulkBuild = new(() => Build(
        "marlin/decode-bulk",
        "kernels/marlin_decode_bulk.cu",
        KernelNames.DecodeBulkNvfp4OneTile,
        KernelNames.DecodeBulkNvfp4TwoTiles,
        KernelNames.DecodeBulkMxfp4OneTile,
        KernelNames.DecodeBulkMxfp4TwoTiles,
        KernelNames.DecodeOverlapNvfp4OneTile,
        KernelNames.DecodeOverlapNvfp4TwoTiles,
        KernelNames.DecodeOverlapMxfp4OneTile,
        KernelNames.DecodeOverlapMxfp4TwoTiles) with
    {
        Requirement = new ArchRequirement(DecodePipelineChoice.BulkCopyMinCapability),
    });

    private static readonly Lazy<KernelBuild> PrefillBuild = new(() => Build(
        "marlin/prefill",
        "kernels/marlin_prefill.cu",
        KernelNames.PrefillRoute,
        KernelNames.PrefillGemm13,
        KernelNames.PrefillGemm2,
        KernelNames.PrefillReduce));

    private static readonly Lazy<string> SourceHash = new(ComputeHash);

    /// <summary>The decode path's register-ring pipeline: one persistent kernel per forward (T ≤ 16), per format and n-tile count.</summary>
    public static KernelBuild Decode => DecodeBuild.Value;

    /// <summary>The decode path's bulk-copy pipelines (SM 9.0 and newer), each kernel for kernel as <see cref="Decode"/>.</summary>
    public static KernelBuild DecodeBulk => DecodeBulkBuild.Value;

    /// <summary>The prefill path: routing, two tiled GEMMs and the top-k reduction.</summary>
    public static KernelBuild Prefill => PrefillBuild.Value;

    public static IReadOnlyList<KernelBuild> All => [Decode, DecodeBulk, Prefill];

    /// <summary>The decode build of <paramref name="pipeline"/>.</summary>
    public static KernelBuild DecodeOf(DecodePipeline pipeline) => pipeline switch
    {
        DecodePipeline.RegisterRing => Decode,
        DecodePipeline.BulkCopy or DecodePipeline.BulkCopyOverlapped => DecodeBulk,
        _ => throw new ArgumentOutOfRangeException(nameof(pipeline), pipeline, "unknown decode pipeline"),
    };

    /// <summary>
    /// SHA-256 (hex) over every source the builds compile: Marlin's kernels and headers and the shared headers they
    /// include, each by name and content, in a fixed order.
    /// </summary>
    public static string Hash => SourceHash.Value;

    private static KernelSource Load(string resource) => KernelSource.FromResource(typeof(MarlinKernelSources).Assembly, resource);

    private static KernelBuild Build(string name, string resource, params string[] kernels) => new()
    {
        Name = name,
        Source = Load(resource),
        KernelNames = kernels,
        Headers = OwnHeaders.Value,
        Requirement = ArchRequirement.Sm80Plus,
    };

    private static string ComputeHash()
    {
        var text = new StringBuilder();
        var sources = All.Select(b => b.Source).Concat(OwnHeaders.Value).Concat(SharedHeaders.All);
        foreach (var source in sources.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            text.Append(source.Name).Append('\n').Append(source.Sha256).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
