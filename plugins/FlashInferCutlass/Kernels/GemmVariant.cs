using MoeTune.Abstractions.Problems;
using MoeTune.Plugins.FlashInferCutlass.Layout;

namespace MoeTune.Plugins.FlashInferCutlass.Kernels;

/// <summary>Which fused epilogue a grouped GEMM build carries (<c>FIC_EPILOGUE</c> in <c>kernels/fic_form.cuh</c>).</summary>
public enum GemmEpilogue
{
    /// <summary>GEMM1 with <c>silu(gate) · up</c>, written as the tiled intermediate.</summary>
    SwiGlu = 1,

    /// <summary>GEMM1 with <c>relu(x)²</c>, written as the tiled intermediate.</summary>
    ReluSquared = 2,

    /// <summary>GEMM2: router weight applied, rows written to their (token, slot) partials.</summary>
    WeightedScatter = 3,
}

/// <summary>The three shapes of the grouped GEMM's main loop (<c>Form</c> in <c>kernels/fic_form.cuh</c>).</summary>
public enum GemmForm
{
    /// <summary>bf16 weight tiles; tokens are wgmma's A.</summary>
    Bf16Tiles,

    /// <summary>NVFP4 tiles converted to bf16 tiles in shared memory by the consumers; tokens are wgmma's A.</summary>
    ConvertedTiles,

    /// <summary>Weights in wgmma's A registers (NVFP4 converted, bf16 as stored); tokens are B, up to 256 per tile.</summary>
    Fragments,
}

/// <summary>
/// One compiled form of the grouped GEMM: its epilogue, its weight format and its pipeline, and from those its ring
/// depth and shared memory (the formulas of <c>kernels/fic_pipeline.cuh</c>).
/// </summary>
public sealed record GemmVariant(GemmEpilogue Epilogue, WeightFormat Weights, GemmPipeline Pipeline)
{
    /// <summary>Threads per CTA: a producer warpgroup and two consumer warpgroups.</summary>
    public const int Threads = 384;

    /// <summary>bf16 weight buffers beside the ring of the <see cref="GemmForm.ConvertedTiles"/> form (stage i uses buffer i mod 3).</summary>
    private const int ConvertedBuffers = 3;

    /// <summary>The first-GEMM or second-GEMM variant with the format's default pipeline.</summary>
    public GemmVariant(GemmEpilogue epilogue, WeightFormat weights)
        : this(epilogue, weights, GemmPipeline.DefaultFor(weights))
    {
    }

    /// <summary>The main loop's form: register fragments where the pipeline gives the format them, else bf16 or converted NVFP4 tiles.</summary>
    public GemmForm Form => Pipeline.OperandFor(Weights) == WeightOperand.RegisterFragments ? GemmForm.Fragments
        : Weights == WeightFormat.Nvfp4 ? GemmForm.ConvertedTiles : GemmForm.Bf16Tiles;

    /// <summary>GEMM1 of a pipeline that gathers in the GEMM reads the hidden states itself.</summary>
    public bool Gathers => Epilogue != GemmEpilogue.WeightedScatter && Pipeline.Gather == TokenGather.InFirstGemm;

    /// <summary>Clusters of two CTAs sharing their weight tiles (<c>FIC_PAIRS</c>): bf16 tiles of a pipeline that pairs them.</summary>
    public bool Pairs => Pipeline.Bf16Pairs && Form == GemmForm.Bf16Tiles && !Gathers;

    /// <summary>CTAs per cluster of the launch: 2 for <see cref="Pairs"/>, else 1.</summary>
    public int ClusterSize => Pairs ? 2 : 1;

    /// <summary>64-row token blocks of one m-tile at most.</summary>
    public int TileBlocks => Form == GemmForm.Fragments ? TileGeometry.MaxTileBlocks : 2;

    /// <summary>
    /// Ring stages: four for bf16 (48 KiB each), five for converted NVFP4 (25 KiB: tokens and the NVFP4 tile; its three bf16
    /// buffers live beside the ring); NVFP4 fragments: five for SwiGLU (37 KiB stages, 32 KiB staging), four for the
    /// epilogues whose staging tile is 64 KiB; bf16 fragments (48 KiB stages): four and three.
    /// </summary>
    public int Stages => (Form, Weights) switch
    {
        (GemmForm.Bf16Tiles, _) => 4,
        (GemmForm.ConvertedTiles, _) => 5,
        (_, WeightFormat.Nvfp4) => Epilogue == GemmEpilogue.SwiGlu ? 5 : 4,
        _ => Epilogue == GemmEpilogue.SwiGlu ? 4 : 3,
    };

    /// <summary>Bytes of one ring stage: the tile's token blocks and one stored weight tile.</summary>
    public int StageBytes => (TileBlocks * TileGeometry.ABlockBytes) + Form switch
    {
        GemmForm.Bf16Tiles => TileGeometry.BTileBytes,
        GemmForm.ConvertedTiles => TileGeometry.Fp4TileBytes,
        _ => Weights == WeightFormat.Nvfp4 ? TileGeometry.FragTileBytes : TileGeometry.Bf16FragTileBytes,
    };

    /// <summary>
    /// Dynamic shared memory per CTA: the ring, the converted bf16 buffers, the epilogue's staging tile and GEMM2 row
    /// information (fragments), the gathered rows' token indices, the mbarriers (with pairs two more, for handing the
    /// pair to the second CTA), one work-item slot per stage plus one (with pairs plus two), and 1 KiB to align the base.
    /// </summary>
    public int SharedMemoryBytes
    {
        get
        {
            var converted = Form == GemmForm.ConvertedTiles ? ConvertedBuffers : 0;
            var tileRows = TileBlocks * TileGeometry.BlockRows;
            var staging = Form != GemmForm.Fragments ? 0
                : Epilogue == GemmEpilogue.SwiGlu ? TileGeometry.MaxTileBlocks * TileGeometry.ABlockBytes
                : 2 * TileGeometry.MaxTileBlocks * TileGeometry.ABlockBytes;
            var rowInfo = Form == GemmForm.Fragments && Epilogue == GemmEpilogue.WeightedScatter ? 2 * tileRows * 8 : 0;
            var tokenIndex = Gathers ? tileRows * 4 : 0;
            var barriers = (2 * Stages) + converted + (Pairs ? 2 : 0);
            var metaSlots = Stages + 1 + (Pairs ? 1 : 0);
            return (Stages * StageBytes) + (converted * TileGeometry.BTileBytes) + staging + rowInfo + tokenIndex
                + (8 * barriers) + (4 * metaSlots) + 1024;
        }
    }

    /// <summary>
    /// The build name in the catalog, for example <c>flashinfer-cutlass/gemm-swiglu-bf16-gather</c> or
    /// <c>flashinfer-cutlass/gemm-scatter-nvfp4-fragments</c>. Equivalent variants share a name (bf16 has no NVFP4 path,
    /// GEMM2 never gathers).
    /// </summary>
    public string BuildName
    {
        get
        {
            var path = Form switch
            {
                GemmForm.Bf16Tiles => "",
                GemmForm.ConvertedTiles => "-tiles",
                _ => "-fragments",
            };
            return $"flashinfer-cutlass/gemm-{EpilogueName}-{Weights.ToName()}{path}{(Gathers ? "-gather" : "")}{(Pairs ? "-pairs" : "")}";
        }
    }

    /// <summary>The preprocessor definitions of this build; the kernel checks FIC_SMEM_BYTES against its own layout at compile time.</summary>
    public IReadOnlyDictionary<string, int> Defines => new Dictionary<string, int>
    {
        ["FIC_EPILOGUE"] = (int)Epilogue,
        ["FIC_WEIGHTS"] = Weights == WeightFormat.Nvfp4 ? 1 : 0,
        ["FIC_FRAGMENTS"] = Form == GemmForm.Fragments ? 1 : 0,
        ["FIC_GATHER"] = Gathers ? 1 : 0,
        ["FIC_PAIRS"] = Pairs ? 1 : 0,
        ["FIC_STAGES"] = Stages,
        ["FIC_SMEM_BYTES"] = SharedMemoryBytes,
    };

    /// <summary>The GEMM1 variant for an activation.</summary>
    public static GemmVariant FirstGemm(Activation activation, WeightFormat weights, GemmPipeline? pipeline = null) => activation switch
    {
        Activation.SwiGlu => new(GemmEpilogue.SwiGlu, weights, pipeline ?? GemmPipeline.DefaultFor(weights)),
        Activation.ReluSquared => new(GemmEpilogue.ReluSquared, weights, pipeline ?? GemmPipeline.DefaultFor(weights)),
        _ => throw new NotSupportedException($"FlashInferCutlass has no GEMM1 epilogue for {activation.ToName()}"),
    };

    /// <summary>The GEMM2 variant.</summary>
    public static GemmVariant SecondGemm(WeightFormat weights, GemmPipeline? pipeline = null) =>
        new(GemmEpilogue.WeightedScatter, weights, pipeline ?? GemmPipeline.DefaultFor(weights));

    private string EpilogueName => Epilogue switch
    {
        GemmEpilogue.SwiGlu => "swiglu",
        GemmEpilogue.ReluSquared => "relu2",
        _ => "scatter",
    };
}
