using MoeTune.Plugins.FlashInferCutlass.Layout;

namespace MoeTune.Plugins.Tests.FlashInferCutlass.Models;

/// <summary>
/// What <c>kernels/fic_route.cu</c> computes for m-tiles of up to <see cref="TileBlocks"/> blocks, with an expert's rows in
/// ascending entry order (the kernel's order within an expert varies; the offsets, tiles and the set of entries per
/// expert do not).
/// </summary>
internal sealed record RoutingModel(int TileBlocks, int[] Counts, int[] RowOffsets, int[] TileOffsets, int[] TileExperts, int[] RowSources)
{
    public int Experts => Counts.Length;

    public int TotalRows => RowOffsets[^1];

    public int TotalTiles => TileOffsets[^1];

    public static RoutingModel Build(ReadOnlySpan<int> ids, int experts, int tileBlocks = 2)
    {
        var counts = new int[experts];
        foreach (var id in ids)
        {
            if ((uint)id < (uint)experts) counts[id]++;
        }

        var rowOffsets = new int[experts + 1];
        var tileOffsets = new int[experts + 1];
        for (var e = 0; e < experts; e++)
        {
            var rows = (counts[e] + TileGeometry.BlockRows - 1) / TileGeometry.BlockRows * TileGeometry.BlockRows;
            rowOffsets[e + 1] = rowOffsets[e] + rows;
            tileOffsets[e + 1] = tileOffsets[e] + (((rows / TileGeometry.BlockRows) + tileBlocks - 1) / tileBlocks);
        }

        var tileExperts = new int[tileOffsets[experts]];
        for (var e = 0; e < experts; e++)
        {
            tileExperts.AsSpan(tileOffsets[e], tileOffsets[e + 1] - tileOffsets[e]).Fill(e);
        }

        var rowSources = new int[rowOffsets[experts]];
        rowSources.AsSpan().Fill(-1);
        var cursors = rowOffsets[..experts];
        for (var i = 0; i < ids.Length; i++)
        {
            if ((uint)ids[i] < (uint)experts) rowSources[cursors[ids[i]]++] = i;
        }

        return new RoutingModel(tileBlocks, counts, rowOffsets, tileOffsets, tileExperts, rowSources);
    }
}
