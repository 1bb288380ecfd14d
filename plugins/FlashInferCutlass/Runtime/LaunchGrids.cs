using MoeTune.Plugins.FlashInferCutlass.Layout;

namespace MoeTune.Plugins.FlashInferCutlass.Runtime;

/// <summary>
/// Grid sizes of one forward pass. They depend only on the token count and the device (never on the routing, which
/// lives on the device), so a forward is capturable into a CUDA graph; each kernel bounds its own loops by the
/// routing results it reads.
/// </summary>
public sealed record LaunchGrids(int Route, int Gather, int FirstGemm, int SecondGemm, int Combine)
{
    public const int RouteThreads = 1024;

    /// <summary>Routing entries (token · k + slot) per routing CTA: a 1024-thread CTA takes four each.</summary>
    private const int RouteEntriesPerBlock = 4096;

    public const int GatherThreads = 256;

    public const int CombineThreads = 256;

    /// <summary>Gather blocks per SM: enough warps (one token, later one padding row, each) in flight to cover memory latency.</summary>
    private const int GatherBlocksPerSm = 4;

    /// <summary>Combine blocks per SM.</summary>
    private const int CombineBlocksPerSm = 8;

    /// <param name="geometry">The problem's tile geometry.</param>
    /// <param name="multiprocessors">The device's SMs (one GEMM CTA each).</param>
    /// <param name="tokens">The forward's token count.</param>
    /// <param name="gemmCluster">CTAs per cluster of the grouped GEMMs (2 for tile pairs: a cluster takes two work items at
    /// a time, and the grid is a whole number of clusters).</param>
    public static LaunchGrids For(TileGeometry geometry, int multiprocessors, int tokens, int gemmCluster = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(gemmCluster, 1);
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(multiprocessors);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokens);
        var rows = geometry.MaxPermutedRows(tokens);
        var tiles = geometry.MaxMTiles(tokens);
        var rowsPerGatherBlock = GatherThreads / 32;
        var combineChunks = (long)tokens * geometry.Shape.Hidden / 8;
        return new LaunchGrids(
            Route: Clamp(CeilDiv((long)tokens * geometry.Shape.TopK, RouteEntriesPerBlock), multiprocessors),
            Gather: Clamp(CeilDiv(rows, rowsPerGatherBlock), multiprocessors * GatherBlocksPerSm),
            FirstGemm: gemmCluster * Clamp(CeilDiv(tiles * geometry.W13NTiles, gemmCluster), multiprocessors / gemmCluster),
            SecondGemm: gemmCluster * Clamp(CeilDiv(tiles * geometry.W2NTiles, gemmCluster), multiprocessors / gemmCluster),
            Combine: Clamp(CeilDiv(combineChunks, CombineThreads), multiprocessors * CombineBlocksPerSm));
    }

    private static long CeilDiv(long value, long divisor) => (value + divisor - 1) / divisor;

    private static int Clamp(long wanted, int limit) => (int)Math.Max(1, Math.Min(wanted, limit));
}
