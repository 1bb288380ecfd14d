using MoeTune.Plugins.FlashInferCutlass.Layout;

namespace MoeTune.Plugins.Tests.FlashInferCutlass.Models;

/// <summary>One grouped-GEMM work item: <c>WorkTile</c> of <c>kernels/fic_schedule.cuh</c>.</summary>
internal readonly record struct WorkTile(int Expert, int FirstBlock, int Blocks, int NTile);

/// <summary><c>decode_work</c> of <c>kernels/fic_schedule.cuh</c>, line for line.</summary>
internal static class WorkScheduleModel
{
    public static int TotalWork(RoutingModel routing, int nTiles) => routing.TotalTiles * nTiles;

    public static WorkTile Decode(int item, int nTiles, RoutingModel routing)
    {
        var expert = routing.TileExperts[item / nTiles];
        var baseTile = routing.TileOffsets[expert];
        var count = routing.TileOffsets[expert + 1] - baseTile;
        var local = item - (baseTile * nTiles);
        var group = local / (TileGeometry.ScheduleGroup * nTiles);
        var groupSize = Math.Min(TileGeometry.ScheduleGroup, count - (group * TileGeometry.ScheduleGroup));
        var within = local - (group * TileGeometry.ScheduleGroup * nTiles);
        var mLocal = (group * TileGeometry.ScheduleGroup) + (within % groupSize);
        var firstRow = routing.RowOffsets[expert] + (mLocal * TileGeometry.TileRows);
        return new WorkTile(
            expert,
            firstRow / TileGeometry.BlockRows,
            routing.RowOffsets[expert + 1] - firstRow >= TileGeometry.TileRows ? 2 : 1,
            within / groupSize);
    }
}
