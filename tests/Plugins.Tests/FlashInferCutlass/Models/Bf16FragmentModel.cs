using System.Buffers.Binary;
using MoeTune.Plugins.FlashInferCutlass.Layout;

namespace MoeTune.Plugins.Tests.FlashInferCutlass.Models;

/// <summary>What the consumer threads of a bf16 fragment build load from a stored tile (kernels/fic_consumer_fragments.cuh).</summary>
internal static class Bf16FragmentModel
{
    /// <summary>
    /// A stored bf16 fragment tile (16 KiB) as the 128 × 64 A operand: thread T = 128c + 32w + l (l = 4g + q) loads the
    /// 16-byte record at (256 · kk + T) · 16 for chunk kk as a0 = (r, 16kk + 2q), a1 = (r + 8, same), a2 = (r, 16kk + 2q + 8),
    /// a3 = (r + 8, same), r = 64c + 16w + g, each register the pair (k, k + 1), low half first.
    /// </summary>
    public static ushort[,] Tile(ReadOnlySpan<byte> stored)
    {
        const int threads = TileGeometry.FragTileRows * 2;
        var tile = new ushort[TileGeometry.FragTileRows, TileGeometry.TileK];
        for (var thread = 0; thread < threads; thread++)
        {
            var (warpgroup, warp, lane) = (thread / 128, (thread % 128) / 32, thread % 32);
            var row = (64 * warpgroup) + (16 * warp) + (lane / 4);
            for (var kk = 0; kk < TileGeometry.TileK / 16; kk++)
            {
                var record = stored.Slice(((threads * kk) + thread) * 16, 16);
                var column = (16 * kk) + (2 * (lane % 4));
                Place(tile, row, column, record[0..4]);
                Place(tile, row + 8, column, record[4..8]);
                Place(tile, row, column + 8, record[8..12]);
                Place(tile, row + 8, column + 8, record[12..16]);
            }
        }

        return tile;

        static void Place(ushort[,] tile, int row, int column, ReadOnlySpan<byte> pair)
        {
            tile[row, column] = BinaryPrimitives.ReadUInt16LittleEndian(pair);
            tile[row, column + 1] = BinaryPrimitives.ReadUInt16LittleEndian(pair[2..]);
        }
    }
}
