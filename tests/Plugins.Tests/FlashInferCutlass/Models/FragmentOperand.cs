using MoeTune.Plugins.FlashInferCutlass.Layout;

namespace MoeTune.Plugins.Tests.FlashInferCutlass.Models;

/// <summary>
/// The 128 × 64 A operand a fragment-form stage hands to wgmma, assembled from what each consumer thread holds
/// (kernels/fic_wgmma.cuh): thread (warpgroup c, warp w, lane l = 4g + q) holds, per 16-column chunk kk, the bf16 pairs
/// a0 = (r, 16kk + 2q), a1 = (r + 8, same), a2 = (r, 16kk + 2q + 8), a3 = (r + 8, same), r = 64c + 16w + g, each
/// register the pair (k, k + 1), low half first.
/// </summary>
internal static class FragmentOperand
{
    /// <param name="registers">(thread 0..255, chunk kk) → that thread's registers a0 .. a3 for the chunk.</param>
    public static ushort[,] Assemble(Func<int, int, uint[]> registers)
    {
        var tile = new ushort[TileGeometry.FragTileRows, TileGeometry.TileK];
        for (var thread = 0; thread < TileGeometry.FragTileRows * 2; thread++)
        {
            var (warpgroup, warp, lane) = (thread / 128, (thread % 128) / 32, thread % 32);
            var row = (64 * warpgroup) + (16 * warp) + (lane / 4);
            for (var kk = 0; kk < TileGeometry.TileK / 16; kk++)
            {
                var held = registers(thread, kk);
                var column = (16 * kk) + (2 * (lane % 4));
                Place(tile, row, column, held[0]);
                Place(tile, row + 8, column, held[1]);
                Place(tile, row, column + 8, held[2]);
                Place(tile, row + 8, column + 8, held[3]);
            }
        }

        return tile;
    }

    private static void Place(ushort[,] tile, int row, int column, uint pair)
    {
        tile[row, column] = (ushort)pair;
        tile[row, column + 1] = (ushort)(pair >> 16);
    }
}
