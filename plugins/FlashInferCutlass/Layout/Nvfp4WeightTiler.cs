using System.Buffers.Binary;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;

namespace MoeTune.Plugins.FlashInferCutlass.Layout;

/// <summary>
/// Stores an NVFP4 [N, K] matrix as the grouped GEMM reads it: tile (n, kb) at <c>(n · kTiles + kb) · 9 KiB</c>, each
/// tile 256 rows × 64 columns as 8 KiB of E2M1 codes (32 bytes a row) then 1 KiB of E4M3 block scales (4 a row).
/// Each 32-bit word of codes holds 8 consecutive elements of a row in the bit layout <see cref="DeviceWord"/> describes,
/// which lets the device convert three of its four bf16 pairs with one shift and one mask each
/// (<c>kernels/fic_fp4.cuh</c>). Padding rows and columns past K get code 0 and scale 0. The global scale is not
/// stored here (the epilogue applies it).
/// </summary>
public static class Nvfp4WeightTiler
{
    private const int WordsPerTileRow = TileGeometry.TileK / 8;
    private const int ScalesPerTileRow = TileGeometry.TileK / 16;

    /// <param name="matrix">The NVFP4 matrix (ModelOpt layout: even element in the low nibble, scales [N, K / 16]).</param>
    /// <param name="nTiles">n-tiles to write.</param>
    /// <param name="kTiles">K tiles to write (at least K / 64 rounded up).</param>
    /// <param name="rowOf">(n-tile, tile row) → canonical row, or <see cref="WeightRowMap.Padding"/>.</param>
    /// <param name="destination">nTiles · kTiles · 9 KiB bytes.</param>
    /// <param name="label">Names the matrix in errors, for example "expert 3 W13".</param>
    public static void Tile(QuantizedMatrix matrix, int nTiles, int kTiles, Func<int, int, int> rowOf, Span<byte> destination, string label)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(rowOf);
        if (matrix.Format != WeightFormat.Nvfp4) throw new ArgumentException($"{label}: expected an NVFP4 matrix, got {matrix.Format.ToName()}", nameof(matrix));
        if ((long)kTiles * TileGeometry.TileK < matrix.Cols) throw new ArgumentException($"{label}: {kTiles} K tiles cannot hold K = {matrix.Cols}", nameof(kTiles));
        var bytes = (long)nTiles * kTiles * TileGeometry.Fp4TileBytes;
        if (destination.Length != bytes) throw new ArgumentException($"{label}: destination must be {bytes} bytes, got {destination.Length}", nameof(destination));

        ReadOnlySpan<byte> codes = matrix.Data;
        ReadOnlySpan<byte> scales = matrix.Scales;
        var codeBytesPerRow = matrix.Cols / 2;
        var scalesPerRow = matrix.Cols / 16;
        for (var n = 0; n < nTiles; n++)
        {
            for (var row = 0; row < TileGeometry.TileCols; row++)
            {
                var canonical = rowOf(n, row);
                if (canonical >= matrix.Rows) throw new InvalidOperationException($"{label}: row map gave row {canonical} of a {matrix.Rows}-row matrix");
                for (var kb = 0; kb < kTiles; kb++)
                {
                    var tile = destination.Slice((int)((((long)n * kTiles) + kb) * TileGeometry.Fp4TileBytes), TileGeometry.Fp4TileBytes);
                    var rowCodes = tile.Slice(row * WordsPerTileRow * 4, WordsPerTileRow * 4);
                    var rowScales = tile.Slice(TileGeometry.Fp4PackedBytes + (row * ScalesPerTileRow), ScalesPerTileRow);
                    for (var word = 0; word < WordsPerTileRow; word++)
                    {
                        var column = (kb * TileGeometry.TileK) + (word * 8);
                        var value = canonical == WeightRowMap.Padding || column >= matrix.Cols
                            ? 0u
                            : DeviceWord(BinaryPrimitives.ReadUInt32LittleEndian(codes.Slice((canonical * codeBytesPerRow) + (column / 2), 4)));
                        BinaryPrimitives.WriteUInt32LittleEndian(rowCodes.Slice(word * 4, 4), value);
                    }

                    for (var block = 0; block < ScalesPerTileRow; block++)
                    {
                        var column = (kb * TileGeometry.TileK) + (block * 16);
                        if (canonical == WeightRowMap.Padding || column >= matrix.Cols)
                        {
                            rowScales[block] = 0;
                            continue;
                        }

                        rowScales[block] = CheckedScale(scales, canonical, column, scalesPerRow, label);
                    }
                }
            }
        }
    }

    /// <summary>The E4M3 block scale of <paramref name="row"/> at <paramref name="column"/>; a NaN scale is refused, naming its place.</summary>
    internal static byte CheckedScale(ReadOnlySpan<byte> scales, int row, int column, int scalesPerRow, string label)
    {
        var scale = scales[(row * scalesPerRow) + (column / 16)];
        return (scale & 0x7F) == 0x7F
            ? throw new ArgumentException($"{label}: row {row}, columns {column}..{column + 15} have a NaN E4M3 block scale (0x{scale:X2})", nameof(scales))
            : scale;
    }

    /// <summary>
    /// Rearranges one little-endian checkpoint word (element <c>e</c> in bits <c>4e..4e+3</c>: the low nibble of byte
    /// <c>i</c> holds element 2i, its high nibble element 2i + 1) into the device layout. Byte <c>p</c> holds the pair
    /// (2p, 2p + 1), whose bf16 values fill one 32-bit lane of the converted chunk: the even element's bits go to the low
    /// half-word and the odd element's to the same places in the high half-word, each code's three magnitude bits and
    /// sign at
    /// <list type="bullet">
    /// <item>pair 0: magnitude 0-2, sign 9 (the device shifts left by 6 to bf16 bits 6-8 and 15);</item>
    /// <item>pair 1: magnitude 3-5, sign 12 (shift left by 3);</item>
    /// <item>pair 2: magnitude 6-8, sign 15 (in place);</item>
    /// <item>pair 3: magnitude bits 0 and 1 at 10-11, bit 2 at 13, sign 14 (three shifts).</item>
    /// </list>
    /// </summary>
    public static uint DeviceWord(uint checkpointWord) =>
        PairBits[0][checkpointWord & 0xFF] | PairBits[1][(checkpointWord >> 8) & 0xFF]
        | PairBits[2][(checkpointWord >> 16) & 0xFF] | PairBits[3][checkpointWord >> 24];

    // PairBits[p][b]: the device bits of checkpoint byte b when it holds pair p (a lookup keeps tiling fast).
    private static readonly uint[][] PairBits = [.. Enumerable.Range(0, 4).Select(p => Enumerable.Range(0, 256)
        .Select(b => PlaceCode((uint)b & 0xF, p) | (PlaceCode((uint)b >> 4, p) << 16)).ToArray())];

    private static uint PlaceCode(uint code, int pair)
    {
        var magnitude = code & 7;
        var sign = code >> 3;
        return pair switch
        {
            0 => magnitude | (sign << 9),
            1 => (magnitude << 3) | (sign << 12),
            2 => (magnitude << 6) | (sign << 15),
            _ => ((magnitude & 3) << 10) | ((magnitude >> 2) << 13) | (sign << 14),
        };
    }
}
