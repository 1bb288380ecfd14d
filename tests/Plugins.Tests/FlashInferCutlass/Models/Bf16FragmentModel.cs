using System.Buffers.Binary;
using MoeTune.Plugins.FlashInferCutlass.Layout;

namespace MoeTune.Plugins.Tests.FlashInferCutlass.Models;

/// <summary>What the consumer threads of a bf16 fragment build load from a stored tile (kernels/fic_consumer_fragments.cuh).</summary>
internal static class Bf16FragmentModel
{
    /// <summary>
    /// A stored bf16 fragment tile (16 KiB) as the 128 × 64 A operand: thread T loads the 16-byte record at
    /// (256 · kk + T) · 16 as its registers a0 .. a3 of chunk kk (<see cref="FragmentOperand"/>).
    /// </summary>
    public static ushort[,] Tile(ReadOnlySpan<byte> stored)
    {
        const int threads = TileGeometry.FragTileRows * 2;
        var bytes = stored.ToArray();
        return FragmentOperand.Assemble((thread, kk) =>
        {
            var record = ((threads * kk) + thread) * 16;
            return [.. Enumerable.Range(0, 4).Select(i => BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(record + (4 * i))))];
        });
    }
}
