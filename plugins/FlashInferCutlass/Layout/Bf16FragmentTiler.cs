using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;

namespace MoeTune.Plugins.FlashInferCutlass.Layout;

/// <summary>
/// Stores a bf16 [N, K] matrix in the <see cref="WeightLayout.Fragments"/> layout: tile (n, kb) of 128 rows × 64 columns
/// at <c>(n · kTiles + kb) · 16 KiB</c>, as the consumer threads load it into wgmma's A registers
/// (kernels/fic_consumer_fragments.cuh). Thread <c>T = 128c + 32w + l</c> (warpgroup c, warp w, lane l = 4g + q) holds
/// tile rows <c>r = 64c + 16w + g</c> and <c>r + 8</c>; for each 16-column chunk kk its 16-byte record at
/// <c>(256 · kk + T) · 16</c> holds the bf16 pairs a0 = (r, 16kk + 2q, +1), a1 = (r + 8, same), a2 = (r, 16kk + 2q + 8, +9),
/// a3 = (r + 8, same), the even column in the low half. The same thread mapping as <see cref="Nvfp4FragmentTiler"/>, so
/// both formats share the epilogues; a warp's loads of one chunk read 512 consecutive bytes (no bank conflict).
/// Padding rows and columns past K are zero.
/// </summary>
public static class Bf16FragmentTiler
{
    private const int ChunksPerTile = TileGeometry.TileK / 16;
    private const int Threads = TileGeometry.FragTileRows * 2;

    /// <param name="matrix">The bf16 matrix.</param>
    /// <param name="nTiles">n-tiles to write.</param>
    /// <param name="kTiles">K tiles to write (at least K / 64 rounded up).</param>
    /// <param name="rowOf">(n-tile, tile row) → canonical row, or <see cref="WeightRowMap.Padding"/> (<see cref="FragmentRowMap"/>).</param>
    /// <param name="destination">nTiles · kTiles · 16 KiB bytes.</param>
    public static void Tile(QuantizedMatrix matrix, int nTiles, int kTiles, Func<int, int, int> rowOf, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(rowOf);
        if (matrix.Format != WeightFormat.Bf16) throw new ArgumentException($"expected a bf16 matrix, got {matrix.Format.ToName()}", nameof(matrix));
        if ((long)kTiles * TileGeometry.TileK < matrix.Cols) throw new ArgumentException($"{kTiles} K tiles cannot hold K = {matrix.Cols}", nameof(kTiles));
        var bytes = (long)nTiles * kTiles * TileGeometry.Bf16FragTileBytes;
        if (destination.Length != bytes) throw new ArgumentException($"destination must be {bytes} bytes, got {destination.Length}", nameof(destination));

        ReadOnlySpan<byte> source = matrix.Data;
        for (var n = 0; n < nTiles; n++)
        {
            for (var thread = 0; thread < Threads; thread++)
            {
                var (warpgroup, warp, lane) = (thread / 128, (thread % 128) / 32, thread % 32);
                var first = (64 * warpgroup) + (16 * warp) + (lane / 4);
                var rows = (First: rowOf(n, first), Second: rowOf(n, first + 8));
                if (rows.First >= matrix.Rows || rows.Second >= matrix.Rows)
                {
                    throw new InvalidOperationException($"row map gave row {Math.Max(rows.First, rows.Second)} of a {matrix.Rows}-row matrix");
                }

                for (var kb = 0; kb < kTiles; kb++)
                {
                    var tile = destination.Slice((int)((((long)n * kTiles) + kb) * TileGeometry.Bf16FragTileBytes), TileGeometry.Bf16FragTileBytes);
                    for (var kk = 0; kk < ChunksPerTile; kk++)
                    {
                        var column = (kb * TileGeometry.TileK) + (16 * kk) + (2 * (lane % 4));
                        var record = tile.Slice(((Threads * kk) + thread) * 16, 16);
                        CopyPair(source, matrix, rows.First, column, record[0..4]);
                        CopyPair(source, matrix, rows.Second, column, record[4..8]);
                        CopyPair(source, matrix, rows.First, column + 8, record[8..12]);
                        CopyPair(source, matrix, rows.Second, column + 8, record[12..16]);
                    }
                }
            }
        }
    }

    // Elements (column, column + 1) of `row` (column even), zero for a padding row and for columns past K.
    private static void CopyPair(ReadOnlySpan<byte> source, QuantizedMatrix matrix, int row, int column, Span<byte> target)
    {
        for (var i = 0; i < 2; i++)
        {
            var element = target.Slice(2 * i, 2);
            if (row == WeightRowMap.Padding || column + i >= matrix.Cols)
            {
                element.Clear();
            }
            else
            {
                source.Slice((int)((((long)row * matrix.Cols) + column + i) * 2), 2).CopyTo(element);
            }
        }
    }
}
