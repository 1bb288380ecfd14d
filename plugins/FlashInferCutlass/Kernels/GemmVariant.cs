using MoeTune.Abstractions.Problems;
using MoeTune.Plugins.FlashInferCutlass.Layout;

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

/// <summary>
/// One compiled form of the grouped GEMM: its epilogue, its weight format and its pipeline, and from those its ring
/// depth and shared memory (the formulas of <c>kernels/fic_pipeline.cuh</c>).
/// </summary>
public sealed record GemmVariant(GemmEpilogue Epilogue, WeightFormat Weights, GemmPipeline Pipeline)
{
    /// <summary>Threads per CTA: a producer warpgroup and two consumer warpgroups.</summary>
    public const int Threads = 384;

    /// <summary>bf16 B buffers of consumer-side NVFP4 conversion (stage i uses buffer i mod 3).</summary>
    private const int ConvertedBuffers = 3;

    /// <summary>The first-GEMM or second-GEMM variant with the default pipeline.</summary>
    public GemmVariant(GemmEpilogue epilogue, WeightFormat weights)
        : this(epilogue, weights, GemmPipeline.Default)
    {
    }

    /// <summary>NVFP4 weights converted by the consumer warpgroups (bf16 weights need no conversion).</summary>
    public bool ConsumersConvert => Weights == WeightFormat.Nvfp4 && Pipeline.Conversion == Fp4Conversion.ConsumerWarpgroups;

    /// <summary>NVFP4 weights converted by the producer warpgroup.</summary>
    public bool ProducerConverts => Weights == WeightFormat.Nvfp4 && Pipeline.Conversion == Fp4Conversion.ProducerWarps;

    /// <summary>
    /// Ring stages: four for bf16 (48 KiB each); three for producer-side NVFP4 (57 KiB: A, bf16 B and the packed tile);
    /// five for consumer-side NVFP4 (25 KiB: A and the packed tile; the three bf16 buffers live beside the ring).
    /// </summary>
    public int Stages => Weights != WeightFormat.Nvfp4 ? 4 : ConsumersConvert ? 5 : 3;

    /// <summary>Bytes of one ring stage.</summary>
    public int StageBytes => (2 * TileGeometry.ABlockBytes) + (ConsumersConvert ? 0 : TileGeometry.BTileBytes)
        + (Weights == WeightFormat.Nvfp4 ? TileGeometry.Fp4TileBytes : 0);

    /// <summary>Dynamic shared memory per CTA: the ring, the bf16 buffers, the mbarriers, one work-item slot per stage, and 1 KiB to align the ring.</summary>
    public int SharedMemoryBytes
    {
        get
        {
            var buffers = ConsumersConvert ? ConvertedBuffers : 0;
            var barriers = ((ProducerConverts ? 3 : 2) * Stages) + buffers;
            return (Stages * StageBytes) + (buffers * TileGeometry.BTileBytes) + (8 * barriers) + (4 * Stages) + 1024;
        }
    }

    /// <summary>
    /// The build name in the catalog, for example <c>flashinfer-cutlass/gemm-swiglu-bf16</c> for the default pipeline or
    /// <c>flashinfer-cutlass/gemm-scatter-nvfp4-static-producer</c>. Equivalent variants share a name (bf16 has no conversion).
    /// </summary>
    public string BuildName
    {
        get
        {
            var scheduling = Pipeline.Scheduling == GemmPipeline.Default.Scheduling ? "" : "-static";
            var conversion = Weights != WeightFormat.Nvfp4 || Pipeline.Conversion == GemmPipeline.Default.Conversion ? "" : "-producer";
            return $"flashinfer-cutlass/gemm-{EpilogueName}-{Weights.ToName()}{scheduling}{conversion}";
        }
    }

    /// <summary>The preprocessor definitions of this build; the kernel checks FIC_SMEM_BYTES against its own layout at compile time.</summary>
    public IReadOnlyDictionary<string, int> Defines => new Dictionary<string, int>
    {
        ["FIC_EPILOGUE"] = (int)Epilogue,
        ["FIC_WEIGHTS"] = Weights == WeightFormat.Nvfp4 ? 1 : 0,
        ["FIC_SCHEDULER"] = (int)Pipeline.Scheduling,
        ["FIC_CONVERTER"] = ConsumersConvert ? 1 : 0,
        ["FIC_STAGES"] = Stages,
        ["FIC_SMEM_BYTES"] = SharedMemoryBytes,
    };

    /// <summary>The GEMM1 variant for an activation.</summary>
    public static GemmVariant FirstGemm(Activation activation, WeightFormat weights, GemmPipeline? pipeline = null) => activation switch
    {
        Activation.SwiGlu => new(GemmEpilogue.SwiGlu, weights, pipeline ?? GemmPipeline.Default),
        Activation.ReluSquared => new(GemmEpilogue.ReluSquared, weights, pipeline ?? GemmPipeline.Default),
        _ => throw new NotSupportedException($"FlashInferCutlass has no GEMM1 epilogue for {activation.ToName()}"),
    };

    /// <summary>The GEMM2 variant.</summary>
    public static GemmVariant SecondGemm(WeightFormat weights, GemmPipeline? pipeline = null) =>
        new(GemmEpilogue.WeightedScatter, weights, pipeline ?? GemmPipeline.Default);

    private string EpilogueName => Epilogue switch
    {
        GemmEpilogue.SwiGlu => "swiglu",
        GemmEpilogue.ReluSquared => "relu2",
        _ => "scatter",
    };
}
