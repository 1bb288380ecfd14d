using System.Runtime.InteropServices;

namespace MoeTune.Plugins.FlashInferCutlass.Runtime;

/// <summary>
/// The grouped GEMM's single kernel parameter, passed by value: field for field the <c>GemmArgs</c> struct of
/// <c>kernels/fic_gemm_args.cuh</c> (ten pointers, then six ints: 104 bytes).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct GemmArguments
{
    /// <summary>Tokens: tiled 64-row blocks of 64 × 64 bf16 (8 KiB each), or the hidden states [T, H] for a GEMM1 that gathers.</summary>
    public nint A;

    /// <summary>Tiled weights of every expert.</summary>
    public nint B;

    /// <summary>GEMM1: the tiled intermediate; GEMM2: bf16 partials [T · k, H].</summary>
    public nint Out;

    /// <summary>m-tiles before each expert [E + 1] (from the routing kernel).</summary>
    public nint TileOffsets;

    /// <summary>The expert of each m-tile.</summary>
    public nint TileExperts;

    /// <summary>First permuted row of each expert [E + 1].</summary>
    public nint RowOffsets;

    /// <summary>The (token · k + slot) entry of each permuted row, or -1 for padding.</summary>
    public nint RowSources;

    /// <summary>Router weights [T · k] (read by GEMM2).</summary>
    public nint RouteWeights;

    /// <summary>Per-expert global dequantisation scales [E].</summary>
    public nint ExpertScales;

    /// <summary>Two int32 counters of the dynamic work scheduler, zero between launches (the kernel leaves them so).</summary>
    public nint WorkCounters;

    public int Experts;

    /// <summary>n-tiles per expert.</summary>
    public int NTiles;

    /// <summary>K tiles of the reduction.</summary>
    public int KTiles;

    /// <summary>GEMM1: 64-column blocks of the intermediate; GEMM2: H.</summary>
    public int OutCols;

    /// <summary>H, the row length of the hidden states a gathering GEMM1 reads.</summary>
    public int HiddenSize;

    /// <summary>k: row source s belongs to token s / k.</summary>
    public int TopK;
}
