using MoeTune.Abstractions.Problems;
using MoeTune.Plugins.Marlin.Layout;

namespace MoeTune.Plugins.Marlin.Planning;

/// <summary>
/// The tile and chunk arithmetic of one MoE shape in Marlin's layout, and the workspace each forward path needs.
/// Pure: the same numbers on every machine, so the tests pin them down per preset.
/// </summary>
public sealed class LayerGeometry
{
    /// <summary>Each decode GEMM2 split keeps at least this many chunks (8 per warp), so a split never idles on latency.</summary>
    private const int ChunksPerDecodeSplit = 32;

    /// <summary>At most this many K splits of GEMM2 on the decode path (each adds a partial per pair to reduce).</summary>
    private const int MaxDecodeSplits = 8;

    public LayerGeometry(MoeShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var reason = MarlinSupport.ShapeProblem(shape);
        if (reason is not null)
        {
            throw new ArgumentException($"Marlin cannot lay out {shape}: {reason}", nameof(shape));
        }

        Shape = shape;
        RecordBytes = FragmentLayout.RecordBytes(shape.Format);
        W13Tiles = shape.W13Rows / FragmentLayout.TileRows;
        W2Tiles = shape.Hidden / FragmentLayout.TileRows;
        Chunks13 = shape.Hidden / FragmentLayout.ChunkK;
        Chunks2 = shape.Intermediate / FragmentLayout.ChunkK;
        DecodeSplits2 = Math.Clamp(Chunks2 / ChunksPerDecodeSplit, 1, MaxDecodeSplits);
    }

    public MoeShape Shape { get; }

    /// <summary>Bytes per weight record (codes and scales of 16 rows × 64 k).</summary>
    public int RecordBytes { get; }

    /// <summary>Row tiles of W13 (gate and up interleaved for gated activations).</summary>
    public int W13Tiles { get; }

    /// <summary>Row tiles of W2 (H / 16): also the output's row tiles.</summary>
    public int W2Tiles { get; }

    /// <summary>K chunks of GEMM1 (H / 64).</summary>
    public int Chunks13 { get; }

    /// <summary>K chunks of GEMM2 (I / 64).</summary>
    public int Chunks2 { get; }

    /// <summary>
    /// K splits of GEMM2 on the decode path: long intermediates (Mixtral's 14336, Llama-4's 8192) are split so that
    /// one token's few experts still make enough work items to fill every SM.
    /// </summary>
    public int DecodeSplits2 { get; }

    /// <summary>Prepared bytes of one expert's W13.</summary>
    public long W13ExpertBytes => (long)W13Tiles * Chunks13 * RecordBytes;

    /// <summary>Prepared bytes of one expert's W2.</summary>
    public long W2ExpertBytes => (long)W2Tiles * Chunks2 * RecordBytes;

    /// <summary>The largest token count the decode kernel takes (its routing holds T·k ≤ 512 pairs, T ≤ 16).</summary>
    public int DecodeMaxTokens => Math.Min(KernelLimits.DecodeMaxTokens, KernelLimits.DecodeMaxPairs / Shape.TopK);

    /// <summary>Whether <paramref name="tokens"/> run on the decode path (else the prefill path).</summary>
    public bool UsesDecodePath(int tokens) => tokens <= DecodeMaxTokens;

    /// <summary>Token tiles the prefill path may need for <paramref name="tokens"/>: ⌊T·k / 64⌋ + min(E, T·k) bounds Σ ⌈pairs_e / 64⌉.</summary>
    public int PrefillMaxTiles(int tokens)
    {
        var pairs = (long)tokens * Shape.TopK;
        return checked((int)((pairs / KernelLimits.PrefillColumns) + Math.Min(Shape.Experts, pairs)));
    }

    /// <summary>CTAs along the weight rows of a prefill GEMM (each covers 8 tiles).</summary>
    public static int PrefillRowBlocks(int tiles) => (tiles + KernelLimits.PrefillBlockTiles - 1) / KernelLimits.PrefillBlockTiles;

    /// <summary>GEMM1 work items of the bulk-copy decode kernels for <paramref name="activeExperts"/> active experts.</summary>
    public long DecodeGemm1Items(int activeExperts) =>
        (long)activeExperts * ((W13Tiles + KernelLimits.DecodeItemTiles - 1) / KernelLimits.DecodeItemTiles);

    /// <summary>
    /// GEMM1 and GEMM2 work items of the register-ring decode kernel for <paramref name="activeExperts"/> active experts
    /// (one row tile each); an upper bound for the bulk-copy kernels, whose items hold <see cref="KernelLimits.DecodeItemTiles"/>
    /// row tiles. The launch caps its grid with it: for tiny shapes a bulk-copy CTA past the real item count takes one
    /// ticket and exits. <paramref name="splits2"/>: GEMM2's K splits in the forward.
    /// </summary>
    public long DecodeItems(int activeExperts, int splits2) => (long)activeExperts * (W13Tiles + ((long)W2Tiles * splits2));

    /// <summary>
    /// Workspace sizes for forwards of up to <paramref name="maxTokens"/> tokens, with <paramref name="splits2"/> GEMM2
    /// splits on the decode path (<see cref="DecodeSplits2"/> unless a measurement fixes another count).
    /// </summary>
    public WorkspaceSizes Workspaces(int maxTokens, int? splits2 = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxTokens);
        var decodeSplits = splits2 ?? DecodeSplits2;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(decodeSplits, nameof(splits2));
        var (k, hidden) = ((long)Shape.TopK, (long)Shape.Hidden);
        var pairs = maxTokens * k;
        var decodePairs = Math.Min(maxTokens, DecodeMaxTokens) * k;
        var prefill = !UsesDecodePath(maxTokens);
        var partials = Math.Max(decodePairs * decodeSplits * hidden, prefill ? pairs * hidden : 0);
        var routing = prefill ? 1 + (3L * PrefillMaxTiles(maxTokens)) + pairs : 0;
        return new WorkspaceSizes(
            IntermediateBytes: pairs * Shape.Intermediate * sizeof(ushort),
            PartialBytes: partials * sizeof(float),
            CounterBytes: (2L + Shape.Experts + W2Tiles) * sizeof(uint),
            RoutingBytes: routing * sizeof(int));
    }
}

/// <summary>Device workspace of a prepared layer, in bytes (zero where a path is never used).</summary>
public sealed record WorkspaceSizes(long IntermediateBytes, long PartialBytes, long CounterBytes, long RoutingBytes)
{
    public long Total => IntermediateBytes + PartialBytes + CounterBytes + RoutingBytes;
}
