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
    public const string PrefillRoute = "marlin_prefill_route";
    public const string PrefillGemm13 = "marlin_prefill_gemm13";
    public const string PrefillGemm2 = "marlin_prefill_gemm2";
    public const string PrefillReduce = "marlin_prefill_reduce";
}
