namespace MoeTune.Plugins.Marlin.KernelInterface;

/// <summary>The <c>extern "C"</c> entry points of Marlin's builds.</summary>
public static class KernelNames
{
    public const string DecodeOneTile = "marlin_decode_nt1";
    public const string DecodeTwoTiles = "marlin_decode_nt2";
    public const string PrefillRoute = "marlin_prefill_route";
    public const string PrefillGemm13 = "marlin_prefill_gemm13";
    public const string PrefillGemm2 = "marlin_prefill_gemm2";
    public const string PrefillReduce = "marlin_prefill_reduce";
}
