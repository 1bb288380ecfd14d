using MoeTune.Plugins.FlashInferCutlass.Layout;

namespace MoeTune.Plugins.Tests.FlashInferCutlass.Models;

/// <summary>One grouped-GEMM work item: <c>WorkTile</c> of <c>kernels/fic_schedule.cuh</c> (Width: n-tiles it covers, 0 to 2).</summary>
internal readonly record struct WorkTile(int Expert, int FirstBlock, int Blocks, int NTile, int Width = 1);

/// <summary><c>decode_work</c> and <c>work_width</c> of <c>kernels/fic_schedule.cuh</c>, line for line, for the routing's m-tile height.</summary>
internal static class WorkScheduleModel
{
    public static int TotalWork(RoutingModel routing, int nTiles) => routing.TotalTiles * nTiles;

    public static int Width(bool wideTails, int blocks, int nTile, int nTiles)
    {
        if (!wideTails || blocks != 1) return 1;
        if (nTile % 2 == 1) return 0;
        return nTile + 1 < nTiles ? 2 : 1;
    }

    public static WorkTile Decode(int item, int nTiles, RoutingModel routing, bool wideTails = false)
    {
        var tileRows = routing.TileBlocks * TileGeometry.BlockRows;
        var scheduleGroup = TileGeometry.ScheduleGroupRows / tileRows;
        var expert = routing.TileExperts[item / nTiles];
        var baseTile = routing.TileOffsets[expert];
        var count = routing.TileOffsets[expert + 1] - baseTile;
        var local = item - (baseTile * nTiles);
        var group = local / (scheduleGroup * nTiles);
        var groupSize = Math.Min(scheduleGroup, count - (group * scheduleGroup));
        var within = local - (group * scheduleGroup * nTiles);
        var mLocal = (group * scheduleGroup) + (within % groupSize);
        var firstRow = routing.RowOffsets[expert] + (mLocal * tileRows);
        var blocks = Math.Min(routing.TileBlocks, (routing.RowOffsets[expert + 1] - firstRow) / TileGeometry.BlockRows);
        var nTile = within / groupSize;
        return new WorkTile(expert, firstRow / TileGeometry.BlockRows, blocks, nTile, Width(wideTails, blocks, nTile, nTiles));
    }
}
