using MoeTune.Plugins.FlashInferCutlass.Layout;

namespace MoeTune.Plugins.Tests.FlashInferCutlass.Models;

/// <summary>One grouped-GEMM work item: <c>WorkTile</c> of <c>kernels/fic_schedule.cuh</c>.</summary>
internal readonly record struct WorkTile(int Expert, int FirstBlock, int Blocks, int NTile);

/// <summary><c>decode_work</c> of <c>kernels/fic_schedule.cuh</c>, line for line, for the routing's m-tile height.</summary>
internal static class WorkScheduleModel
{
    public static int TotalWork(RoutingModel routing, int nTiles) => routing.TotalTiles * nTiles;

    public static WorkTile Decode(int item, int nTiles, RoutingModel routing)
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
        return new WorkTile(
            expert,
            firstRow / TileGeometry.BlockRows,
            Math.Min(routing.TileBlocks, (routing.RowOffsets[expert + 1] - firstRow) / TileGeometry.BlockRows),
            within / groupSize);
    }
}
