using System.Runtime.InteropServices;

namespace MoeTune.Plugins.FlashInferCutlass.Runtime;

/// <summary>
/// The grouped GEMM's single kernel parameter, passed by value: field for field the <c>GemmArgs</c> struct of
/// <c>kernels/fic_grouped_gemm.cu</c> (nine pointers, then four ints: 88 bytes).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GemmArguments
{
    /// <summary>Tiled activations (64-row blocks of 64 × 64 bf16, 8 KiB each).</summary>
    public nint A;

    /// <summary>Tiled weights of every expert.</summary>
    public nint B;

    /// <summary>GEMM1: the tiled intermediate; GEMM2: bf16 partials [T · k, H].</summary>
    public nint Out;

    public nint TileOffsets;
    public nint TileExperts;
    public nint RowOffsets;
    public nint RowSources;

    /// <summary>Router weights [T · k] (read by GEMM2).</summary>
    public nint RouteWeights;

    /// <summary>Per-expert global dequantisation scales [E].</summary>
    public nint ExpertScales;

    public int Experts;
    public int NTiles;
    public int KTiles;

    /// <summary>GEMM1: 64-column blocks of the intermediate; GEMM2: H.</summary>
    public int OutCols;
}
