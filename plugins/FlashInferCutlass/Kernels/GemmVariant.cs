using MoeTune.Abstractions.Problems;

namespace MoeTune.Plugins.FlashInferCutlass.Kernels;

/// <summary>Which fused epilogue a grouped GEMM build carries (<c>FIC_EPILOGUE</c> in <c>kernels/fic_grouped_gemm.cu</c>).</summary>
public enum GemmEpilogue
{
    /// <summary>GEMM1 with <c>silu(gate) · up</c>, written as the tiled intermediate.</summary>
    SwiGlu = 1,

    /// <summary>GEMM1 with <c>relu(x)²</c>, written as the tiled intermediate.</summary>
    ReluSquared = 2,

    /// <summary>GEMM2: router weight applied, rows written to their (token, slot) partials.</summary>
    WeightedScatter = 3,
}

/// <summary>One compiled form of the grouped GEMM: its epilogue, its weight format and its pipeline depth.</summary>
public sealed record GemmVariant(GemmEpilogue Epilogue, WeightFormat Weights)
{
    /// <summary>Threads per CTA: a producer warpgroup and two consumer warpgroups.</summary>
    public const int Threads = 384;

    /// <summary>Shared-memory stages: four for bf16 (48 KiB each); three for NVFP4, whose stages also hold the packed tile (57 KiB).</summary>
    public int Stages => Weights == WeightFormat.Nvfp4 ? 3 : 4;

    /// <summary>Bytes of one stage: both consumers' A blocks, the bf16 weight tile, and for NVFP4 the packed tile.</summary>
    public int StageBytes => (2 * Layout.TileGeometry.ABlockBytes) + Layout.TileGeometry.BTileBytes
        + (Weights == WeightFormat.Nvfp4 ? Layout.TileGeometry.Fp4TileBytes : 0);

    /// <summary>Dynamic shared memory per CTA: the stages, three mbarriers per stage, and 1 KiB to align the ring.</summary>
    public int SharedMemoryBytes => (Stages * StageBytes) + (3 * Stages * 8) + 1024;

    /// <summary>The build name in the catalog, for example <c>flashinfer-cutlass/gemm-swiglu-bf16</c>.</summary>
    public string BuildName => $"flashinfer-cutlass/gemm-{EpilogueName}-{Weights.ToName()}";

    /// <summary>The GEMM1 variant for an activation.</summary>
    public static GemmVariant FirstGemm(Activation activation, WeightFormat weights) => activation switch
    {
        Activation.SwiGlu => new(GemmEpilogue.SwiGlu, weights),
        Activation.ReluSquared => new(GemmEpilogue.ReluSquared, weights),
        _ => throw new NotSupportedException($"FlashInferCutlass has no GEMM1 epilogue for {activation.ToName()}"),
    };

    /// <summary>The GEMM2 variant.</summary>
    public static GemmVariant SecondGemm(WeightFormat weights) => new(GemmEpilogue.WeightedScatter, weights);

    private string EpilogueName => Epilogue switch
    {
        GemmEpilogue.SwiGlu => "swiglu",
        GemmEpilogue.ReluSquared => "relu2",
        _ => "scatter",
    };
}
