using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;

namespace MoeTune.Plugins.FlashInferCutlass.Layout;

/// <summary>
/// Stores a bf16 [N, K] matrix as the grouped GEMM reads it: tile (n, kb) at <c>(n · kTiles + kb) · 32 KiB</c>, each
/// tile 256 rows × 64 columns in the 128-byte-swizzled layout (<see cref="SwizzledTile"/>), rows chosen by a
/// <see cref="WeightRowMap"/> function, padding rows and columns past K zero. K must be a multiple of 8.
/// </summary>
public static class Bf16WeightTiler
{
    /// <param name="matrix">The bf16 matrix.</param>
    /// <param name="nTiles">n-tiles to write.</param>
    /// <param name="kTiles">K tiles to write (at least K / 64 rounded up).</param>
    /// <param name="rowOf">(n-tile, tile row) → canonical row, or <see cref="WeightRowMap.Padding"/>.</param>
    /// <param name="destination">nTiles · kTiles · 32 KiB bytes.</param>
    public static void Tile(QuantizedMatrix matrix, int nTiles, int kTiles, Func<int, int, int> rowOf, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(rowOf);
        if (matrix.Format != WeightFormat.Bf16) throw new ArgumentException($"expected a bf16 matrix, got {matrix.Format.ToName()}", nameof(matrix));
        if (matrix.Cols % 8 != 0) throw new ArgumentException($"K ({matrix.Cols}) must be a multiple of 8", nameof(matrix));
        if ((long)kTiles * TileGeometry.TileK < matrix.Cols) throw new ArgumentException($"{kTiles} K tiles cannot hold K = {matrix.Cols}", nameof(kTiles));
        var bytes = (long)nTiles * kTiles * TileGeometry.BTileBytes;
        if (destination.Length != bytes) throw new ArgumentException($"destination must be {bytes} bytes, got {destination.Length}", nameof(destination));

        ReadOnlySpan<byte> source = matrix.Data;
        var rowBytes = (long)matrix.Cols * 2;
        for (var n = 0; n < nTiles; n++)
        {
            for (var row = 0; row < TileGeometry.TileCols; row++)
            {
                var canonical = rowOf(n, row);
                if (canonical >= matrix.Rows) throw new InvalidOperationException($"row map gave row {canonical} of a {matrix.Rows}-row matrix");
                for (var kb = 0; kb < kTiles; kb++)
                {
                    var tileOffset = (((long)n * kTiles) + kb) * TileGeometry.BTileBytes;
                    for (var chunk = 0; chunk < SwizzledTile.ChunksPerRow; chunk++)
                    {
                        var target = destination.Slice((int)(tileOffset + SwizzledTile.ChunkOffset(row, chunk)), SwizzledTile.ChunkBytes);
                        var column = (kb * TileGeometry.TileK) + (chunk * 8);
                        if (canonical == WeightRowMap.Padding || column >= matrix.Cols)
                        {
                            target.Clear();
                        }
                        else
                        {
                            source.Slice((int)((canonical * rowBytes) + (column * 2)), SwizzledTile.ChunkBytes).CopyTo(target);
                        }
                    }
                }
            }
        }
    }
}
