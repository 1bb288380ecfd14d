using System.Buffers.Binary;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;

namespace MoeTune.Plugins.FlashInferCutlass.Layout;

/// <summary>
/// Stores an NVFP4 [N, K] matrix in the <see cref="WeightLayout.Fragments"/> layout: tile (n, kb) of 128 rows × 64
/// columns at <c>(n · kTiles + kb) · 5 KiB</c>, in the order the consumer threads load it as wgmma's A operand
/// (kernels/fic_consumer_fragments.cuh). Thread (warpgroup c, warp w, lane l = 4g + q) holds tile rows
/// <c>r = 64c + 16w + g</c> and <c>r + 8</c> and, per 16-column chunk kk, columns <c>16kk + 2q, +1</c> and <c>+8, +9</c>
/// of each: four bf16 pairs a0 = (r, 16kk + 2q), a1 = (r + 8, same), a2 = (r, 16kk + 2q + 8), a3 = (r + 8, same).
/// <list type="bullet">
/// <item>Codes, 4 KiB: thread <c>128c + 32w + l</c>'s 16-byte record at <c>16 · thread</c>, word kk holding its pairs
/// a0 .. a3 of chunk kk in the bit layout of <see cref="Nvfp4WeightTiler.DeviceWord"/> (pair p = a_p).</item>
/// <item>Scales, 1 KiB: quad <c>32c + 8w + g</c>'s 16-byte record at <c>4 KiB + 16 · quad</c>, word kk holding the block
/// scales of rows r (low half) and r + 8 (high half) for chunk kk as bf16 values <c>s · 2^118</c> (exact: E4M3 has
/// three significand bits), so a thread only spreads them into pairs.</item>
/// </list>
/// Padding rows and columns past K get code 0 and scale 0. The global scale is not stored here (the epilogue applies it).
/// </summary>
public static class Nvfp4FragmentTiler
{
    private const int ChunksPerTile = TileGeometry.TileK / 16;

    /// <param name="matrix">The NVFP4 matrix (ModelOpt layout: even element in the low nibble, scales [N, K / 16]).</param>
    /// <param name="nTiles">n-tiles to write.</param>
    /// <param name="kTiles">K tiles to write (at least K / 64 rounded up).</param>
    /// <param name="rowOf">(n-tile, tile row) → canonical row, or <see cref="WeightRowMap.Padding"/> (<see cref="FragmentRowMap"/>).</param>
    /// <param name="destination">nTiles · kTiles · 5 KiB bytes.</param>
    /// <param name="label">Names the matrix in errors, for example "expert 3 W13".</param>
    public static void Tile(QuantizedMatrix matrix, int nTiles, int kTiles, Func<int, int, int> rowOf, Span<byte> destination, string label)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(rowOf);
        if (matrix.Format != WeightFormat.Nvfp4) throw new ArgumentException($"{label}: expected an NVFP4 matrix, got {matrix.Format.ToName()}", nameof(matrix));
        if ((long)kTiles * TileGeometry.TileK < matrix.Cols) throw new ArgumentException($"{label}: {kTiles} K tiles cannot hold K = {matrix.Cols}", nameof(kTiles));
        var bytes = (long)nTiles * kTiles * TileGeometry.FragTileBytes;
        if (destination.Length != bytes) throw new ArgumentException($"{label}: destination must be {bytes} bytes, got {destination.Length}", nameof(destination));

        var source = new Source(matrix, label);
        for (var n = 0; n < nTiles; n++)
        {
            for (var quad = 0; quad < TileGeometry.FragTileRows / 2; quad++)
            {
                // Quad 32c + 8w + g holds tile rows 64c + 16w + g and that + 8.
                var firstRow = (64 * (quad / 32)) + (16 * ((quad % 32) / 8)) + (quad % 8);
                var rows = (rowOf(n, firstRow), rowOf(n, firstRow + 8));
                if (rows.Item1 >= matrix.Rows || rows.Item2 >= matrix.Rows)
                {
                    throw new InvalidOperationException($"{label}: row map gave row {Math.Max(rows.Item1, rows.Item2)} of a {matrix.Rows}-row matrix");
                }

                for (var kb = 0; kb < kTiles; kb++)
                {
                    var tile = destination.Slice((int)((((long)n * kTiles) + kb) * TileGeometry.FragTileBytes), TileGeometry.FragTileBytes);
                    WriteQuad(source, tile, quad, rows, kb * TileGeometry.TileK);
                }
            }
        }
    }

    /// <summary>The bf16 bits of E4M3 <paramref name="code"/> × 2^118 (every finite code is exact; NaN codes are refused before).</summary>
    public static ushort ScaleBits(byte code)
    {
        var sign = (ushort)((code >> 7) << 15);
        var exponent = (code >> 3) & 0xF;
        var mantissa = code & 7;
        if (exponent > 0)
        {
            // 2^(e - 7) (1 + m / 8) x 2^118: biased bf16 exponent e + 111 + 127, the three significand bits on top.
            return (ushort)(sign | ((exponent + 238) << 7) | (mantissa << 4));
        }

        if (mantissa == 0)
        {
            return sign;
        }

        // Subnormal: m x 2^-9 x 2^118 = m x 2^109, normalised at m's leading bit p.
        var leading = 31 - System.Numerics.BitOperations.LeadingZeroCount((uint)mantissa);
        return (ushort)(sign | ((236 + leading) << 7) | ((mantissa << (7 - leading)) & 0x7F));
    }

    private static void WriteQuad(Source source, Span<byte> tile, int quad, (int First, int Second) rows, int firstColumn)
    {
        for (var q = 0; q < 4; q++)
        {
            var thread = (4 * quad) + q;  // 128c + 32w + 4g + q
            for (var kk = 0; kk < ChunksPerTile; kk++)
            {
                var column = firstColumn + (16 * kk) + (2 * q);
                var checkpoint = source.Pair(rows.First, column) | ((uint)source.Pair(rows.Second, column) << 8)
                    | ((uint)source.Pair(rows.First, column + 8) << 16) | ((uint)source.Pair(rows.Second, column + 8) << 24);
                BinaryPrimitives.WriteUInt32LittleEndian(tile[((16 * thread) + (4 * kk))..], Nvfp4WeightTiler.DeviceWord(checkpoint));
            }
        }

        for (var kk = 0; kk < ChunksPerTile; kk++)
        {
            var column = firstColumn + (16 * kk);
            var record = tile[(TileGeometry.FragCodeBytes + (16 * quad) + (4 * kk))..];
            BinaryPrimitives.WriteUInt16LittleEndian(record, source.ScaleBits(rows.First, column));
            BinaryPrimitives.WriteUInt16LittleEndian(record[2..], source.ScaleBits(rows.Second, column));
        }
    }

    /// <summary>Reads codes and scales of the checkpoint matrix, zero for padding rows and columns past K.</summary>
    private readonly ref struct Source(QuantizedMatrix matrix, string label)
    {
        private readonly ReadOnlySpan<byte> codes = matrix.Data;
        private readonly ReadOnlySpan<byte> scales = matrix.Scales;

        /// <summary>The checkpoint byte of elements (column, column + 1) of <paramref name="row"/> (column even).</summary>
        public byte Pair(int row, int column) =>
            row == WeightRowMap.Padding || column >= matrix.Cols ? (byte)0 : codes[(row * (matrix.Cols / 2)) + (column / 2)];

        public ushort ScaleBits(int row, int column) => row == WeightRowMap.Padding || column >= matrix.Cols
            ? (ushort)0
            : Nvfp4FragmentTiler.ScaleBits(Nvfp4WeightTiler.CheckedScale(scales, row, column, matrix.Cols / 16, label));
    }
}
