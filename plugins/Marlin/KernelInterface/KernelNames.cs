namespace MoeTune.Plugins.Marlin.KernelInterface;

/// <summary>The <c>extern "C"</c> entry points of Marlin's builds.</summary>
public static class KernelNames
{
    public const string DecodeNvfp4OneTile = "marlin_decode_nvfp4_nt1";
    public const string DecodeNvfp4TwoTiles = "marlin_decode_nvfp4_nt2";
    public const string DecodeMxfp4OneTile = "marlin_decode_mxfp4_nt1";
    public const string DecodeMxfp4TwoTiles = "marlin_decode_mxfp4_nt2";
    public const string DecodeBulkNvfp4OneTile = "marlin_decode_bulk_nvfp4_nt1";
    public const string DecodeBulkNvfp4TwoTiles = "marlin_decode_bulk_nvfp4_nt2";
    public const string DecodeBulkMxfp4OneTile = "marlin_decode_bulk_mxfp4_nt1";
    public const string DecodeBulkMxfp4TwoTiles = "marlin_decode_bulk_mxfp4_nt2";
    public const string DecodeOverlapNvfp4OneTile = "marlin_decode_overlap_nvfp4_nt1";
    public const string DecodeOverlapNvfp4TwoTiles = "marlin_decode_overlap_nvfp4_nt2";
    public const string DecodeOverlapMxfp4OneTile = "marlin_decode_overlap_mxfp4_nt1";
    public const string DecodeOverlapMxfp4TwoTiles = "marlin_decode_overlap_mxfp4_nt2";
    public const string PrefillRoute = "marlin_prefill_route";
    public const string PrefillGemm13 = "marlin_prefill_gemm13";
    public const string PrefillGemm2 = "marlin_prefill_gemm2";
    public const string PrefillReduce = "marlin_prefill_reduce";

    /// <summary>The decode kernels of <paramref name="pipeline"/>: [format code][n-tiles - 1].</summary>
    public static string[][] Decode(DecodePipeline pipeline) => pipeline switch
    {
        DecodePipeline.RegisterRing =>
        [
            [DecodeNvfp4OneTile, DecodeNvfp4TwoTiles],
            [DecodeMxfp4OneTile, DecodeMxfp4TwoTiles],
        ],
        DecodePipeline.BulkCopy =>
        [
            [DecodeBulkNvfp4OneTile, DecodeBulkNvfp4TwoTiles],
            [DecodeBulkMxfp4OneTile, DecodeBulkMxfp4TwoTiles],
        ],
        DecodePipeline.BulkCopyOverlapped =>
        [
            [DecodeOverlapNvfp4OneTile, DecodeOverlapNvfp4TwoTiles],
            [DecodeOverlapMxfp4OneTile, DecodeOverlapMxfp4TwoTiles],
        ],
        _ => throw new ArgumentOutOfRangeException(nameof(pipeline), pipeline, "unknown decode pipeline"),
    };
}
