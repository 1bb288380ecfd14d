using System.Buffers.Binary;
using MoeTune.Abstractions.Weights;

namespace MoeTune.Plugins.Marlin.Layout;

/// <summary>
/// Rewrites one checkpoint-layout FP4 matrix (ModelOpt: codes [N, K/2], scales [N, K/blocks]) into
/// <see cref="FragmentLayout"/>'s records, with its rows in a <see cref="RowOrder"/> and its scales transcoded by a
/// <see cref="ScaleTranscoder"/>. Runs once per matrix at prepare time, on the host.
/// </summary>
public static class WeightReshuffler
{
    /// <summary>
    /// A k-step's word as the OR of two lookups: the four codes of row g (16 bits, code i for k = 16t + 4j + i) through
    /// <see cref="LowerRowWords"/> and the four of row g + 8 through <see cref="UpperRowWords"/>. Code i of a row feeds
    /// register 2·(i / 2) (+1 for row g + 8), half i mod 2 (<see cref="FragmentLayout.ElementOf"/>), and lands at that
    /// register's <see cref="FragmentLayout.CodeBits"/>; the tests check the result element by element.
    /// </summary>
    private static readonly uint[] LowerRowWords = BuildWordTable(upperRow: false);

    private static readonly uint[] UpperRowWords = BuildWordTable(upperRow: true);

    /// <summary>
    /// Writes <paramref name="matrix"/>'s records into <paramref name="destination"/>
    /// (<see cref="FragmentLayout.MatrixBytes"/> long) and returns the epilogue factor the kernel applies to it.
    /// <paramref name="location"/> names the matrix in errors.
    /// </summary>
    public static float Reshuffle(QuantizedMatrix matrix, RowOrder order, string location, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(order);
        var format = matrix.Format;
        if (order.Rows != matrix.Rows)
        {
            throw new ArgumentException($"{location}: the row order covers {order.Rows} rows, the matrix has {matrix.Rows}");
        }

        if (matrix.Rows % FragmentLayout.TilePairRows != 0)
        {
            throw new ArgumentException($"{location}: N = {matrix.Rows} is not a multiple of {FragmentLayout.TilePairRows} (row tiles are stored in pairs)");
        }

        if (matrix.Cols % FragmentLayout.ChunkK != 0)
        {
            throw new ArgumentException($"{location}: K = {matrix.Cols} is not a multiple of {FragmentLayout.ChunkK}");
        }

        var bytes = FragmentLayout.MatrixBytes(format, matrix.Rows, matrix.Cols);
        if (destination.Length != bytes)
        {
            throw new ArgumentException($"{location}: the destination holds {destination.Length} bytes, the records need {bytes}");
        }

        var transcoder = ScaleTranscoder.For(matrix, location);
        var chunks = matrix.Cols / FragmentLayout.ChunkK;
        var rowBytes = matrix.Cols / 2;
        var blockSize = FragmentLayout.BlockSize(format);
        var recordBytes = FragmentLayout.RecordBytes(format);
        var data = matrix.Data.AsSpan();
        Span<int> rows = stackalloc int[FragmentLayout.TileRows];
        for (var tile = 0; tile < matrix.Rows / FragmentLayout.TileRows; tile++)
        {
            for (var r = 0; r < rows.Length; r++)
            {
                rows[r] = order.CanonicalRow((tile * FragmentLayout.TileRows) + r);
            }

            for (var chunk = 0; chunk < chunks; chunk++)
            {
                var record = destination.Slice((int)FragmentLayout.RecordOffset(format, tile, chunk, chunks), recordBytes);
                for (var lane = 0; lane < FragmentLayout.Lanes; lane++)
                {
                    var (g, t) = (lane >> 2, lane & 3);
                    var k = (chunk * FragmentLayout.ChunkK) + (FragmentLayout.LaneK * t);
                    var block = k / blockSize;
                    var blockInChunk = FragmentLayout.BlockOfLane(format, t);
                    var lowerBlock = transcoder.Transcode(rows[g], block);
                    var upperBlock = transcoder.Transcode(rows[g + 8], block);
                    record[FragmentLayout.ScaleOffset(format, g, blockInChunk)] = lowerBlock.Scale;
                    record[FragmentLayout.ScaleOffset(format, g + 8, blockInChunk)] = upperBlock.Scale;
                    var lower = Apply(ReadCodes(data, rows[g], rowBytes, k), lowerBlock.Codes);
                    var upper = Apply(ReadCodes(data, rows[g + 8], rowBytes, k), upperBlock.Codes);
                    for (var step = 0; step < FragmentLayout.KSteps; step++)
                    {
                        BinaryPrimitives.WriteUInt32LittleEndian(
                            record.Slice((16 * lane) + (4 * step), 4),
                            LowerRowWords[(ushort)(lower >> (16 * step))] | UpperRowWords[(ushort)(upper >> (16 * step))]);
                    }
                }
            }
        }

        return transcoder.EpilogueFactor;
    }

    /// <summary>The sixteen codes of <paramref name="row"/> at k .. k + 15 (one lane's range, inside one block).</summary>
    private static ulong ReadCodes(ReadOnlySpan<byte> data, int row, int rowBytes, int k) =>
        BinaryPrimitives.ReadUInt64LittleEndian(data.Slice((int)(((long)row * rowBytes) + (k / 2)), 8));

    private static ulong Apply(ulong codes, BlockCodes transform) => transform switch
    {
        BlockCodes.Keep => codes,
        BlockCodes.Negate => codes ^ 0x8888_8888_8888_8888UL,
        _ => 0UL,
    };

    private static uint[] BuildWordTable(bool upperRow)
    {
        var table = new uint[1 << 16];
        for (var codes = 0; codes < table.Length; codes++)
        {
            uint word = 0;
            for (var index = 0; index < 4; index++)
            {
                var code = (uint)(codes >> (4 * index)) & 0xF;
                var (sign, magnitude) = FragmentLayout.CodeBits((2 * (index >> 1)) + (upperRow ? 1 : 0), index & 1);
                word |= ((code >> 3) << sign) | ((code & 7) << magnitude);
            }

            table[codes] = word;
        }

        return table;
    }
}
