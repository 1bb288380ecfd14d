using System.Buffers.Binary;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;
using MoeTune.Plugins.FlashInferCutlass.Layout;
using MoeTune.Plugins.Tests.FlashInferCutlass.Models;
using MoeTune.Reference.Formats;

namespace MoeTune.Plugins.Tests.FlashInferCutlass;

public sealed class WeightTilerTests
{
    [Theory]
    [InlineData(192, 200)]   // K not a multiple of 64: the last K tile is half padding
    [InlineData(300, 128)]   // N not a multiple of 256
    public void Bf16_tiles_hold_each_element_where_the_swizzle_says_and_zeros_elsewhere(int rows, int cols)
    {
        var values = RandomValues(rows * cols, seed: rows + cols);
        var matrix = WeightCodec.Quantize(WeightFormat.Bf16, values, rows, cols);
        var nTiles = (rows + 255) / 256;
        var kTiles = (cols + 63) / 64;
        var tiles = new byte[nTiles * kTiles * TileGeometry.BTileBytes];
        Bf16WeightTiler.Tile(matrix, nTiles, kTiles, (n, r) => (n * 256) + r < rows ? (n * 256) + r : WeightRowMap.Padding, tiles);

        for (var n = 0; n < nTiles; n++)
        {
            for (var kb = 0; kb < kTiles; kb++)
            {
                var tile = tiles.AsSpan(((n * kTiles) + kb) * TileGeometry.BTileBytes, TileGeometry.BTileBytes);
                for (var r = 0; r < 256; r++)
                {
                    for (var c = 0; c < 64; c++)
                    {
                        var (row, col) = ((n * 256) + r, (kb * 64) + c);
                        var stored = BinaryPrimitives.ReadUInt16LittleEndian(tile[SwizzledTile.ElementOffset(r, c)..]);
                        var expected = row < rows && col < cols ? BinaryPrimitives.ReadUInt16LittleEndian(matrix.Data.AsSpan(((row * cols) + col) * 2)) : (ushort)0;
                        Assert.True(expected == stored, $"tile ({n}, {kb}) row {r} column {c}: expected 0x{expected:X4}, stored 0x{stored:X4}");
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(0x00000001u, 0x00000001u)] // element 0, magnitude 1: bit 0
    [InlineData(0x00000008u, 0x00000200u)] // element 0, sign: bit 9
    [InlineData(0x000000F0u, 0x02070000u)] // element 1: magnitude at 16-18, sign at 25
    [InlineData(0x0000F000u, 0x10380000u)] // element 3: magnitude at 19-21, sign at 28
    [InlineData(0x00F00000u, 0x81C00000u)] // element 5: magnitude at 22-24, sign at 31
    [InlineData(0x0F000000u, 0x00006C00u)] // element 6: magnitude bits at 10, 11 and 13, sign at 14
    [InlineData(0xF0000000u, 0x6C000000u)] // element 7: the same 16 bits higher
    public void Nvfp4_words_place_each_code_where_the_device_converts_it(uint checkpoint, uint device) =>
        Assert.Equal(device, Nvfp4WeightTiler.DeviceWord(checkpoint));

    [Fact]
    public void Nvfp4_device_words_move_every_bit_to_its_own_place()
    {
        var places = Enumerable.Range(0, 32).Select(b => Nvfp4WeightTiler.DeviceWord(1u << b)).ToList();
        Assert.All(places, p => Assert.Equal(1, System.Numerics.BitOperations.PopCount(p)));
        Assert.Equal(32, places.Distinct().Count());
        Assert.Equal(0xFFFFFFFFu, Nvfp4WeightTiler.DeviceWord(0xFFFFFFFFu));
    }

    [Theory]
    [InlineData(256, 128)]
    [InlineData(260, 176)]   // padding rows and a K tail of 48 columns (three 16-column blocks)
    public void Nvfp4_tiles_convert_to_exactly_the_reference_values_times_two_to_the_minus_8(int rows, int cols)
    {
        var values = RandomValues(rows * cols, seed: 7 * rows + cols);
        var matrix = WeightCodec.Quantize(WeightFormat.Nvfp4, values, rows, cols);
        var nTiles = (rows + 255) / 256;
        var kTiles = (cols + 63) / 64;
        var tiles = new byte[nTiles * kTiles * TileGeometry.Fp4TileBytes];
        Nvfp4WeightTiler.Tile(matrix, nTiles, kTiles, (n, r) => (n * 256) + r < rows ? (n * 256) + r : WeightRowMap.Padding, tiles, "test");

        var unscaled = new float[cols];
        for (var n = 0; n < nTiles; n++)
        {
            for (var kb = 0; kb < kTiles; kb++)
            {
                var bf16 = Fp4ConversionModel.DequantTile(tiles.AsSpan(((n * kTiles) + kb) * TileGeometry.Fp4TileBytes, TileGeometry.Fp4TileBytes));
                for (var r = 0; r < 256; r++)
                {
                    var row = (n * 256) + r;
                    if (row < rows) WeightCodec.DequantizeRowUnscaled(matrix, row, unscaled);
                    for (var c = 0; c < 64; c++)
                    {
                        var col = (kb * 64) + c;
                        var expected = row < rows && col < cols ? unscaled[col] / 256f : 0f;
                        var actual = Bf16.ToFloat(BinaryPrimitives.ReadUInt16LittleEndian(bf16.AsSpan(SwizzledTile.ElementOffset(r, c))));
                        Assert.True(expected == actual, $"tile ({n}, {kb}) row {r} column {c}: expected {expected}, converted {actual}");
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(128, 128)]
    [InlineData(200, 176)]   // padding rows and a K tail of 48 columns (three 16-column blocks)
    public void Nvfp4_fragment_tiles_give_each_thread_exactly_the_reference_values_times_two_to_the_minus_8(int rows, int cols)
    {
        var values = RandomValues(rows * cols, seed: (5 * rows) + cols);
        var matrix = WeightCodec.Quantize(WeightFormat.Nvfp4, values, rows, cols);
        var nTiles = (rows + 127) / 128;
        var kTiles = (cols + 63) / 64;
        var tiles = new byte[nTiles * kTiles * TileGeometry.FragTileBytes];
        Nvfp4FragmentTiler.Tile(matrix, nTiles, kTiles, (n, r) => (n * 128) + r < rows ? (n * 128) + r : WeightRowMap.Padding, tiles, "test");

        var unscaled = new float[cols];
        for (var n = 0; n < nTiles; n++)
        {
            for (var kb = 0; kb < kTiles; kb++)
            {
                var a = Fp4ConversionModel.DequantFragmentTile(tiles.AsSpan(((n * kTiles) + kb) * TileGeometry.FragTileBytes, TileGeometry.FragTileBytes));
                for (var r = 0; r < 128; r++)
                {
                    var row = (n * 128) + r;
                    if (row < rows) WeightCodec.DequantizeRowUnscaled(matrix, row, unscaled);
                    for (var c = 0; c < 64; c++)
                    {
                        var col = (kb * 64) + c;
                        var expected = row < rows && col < cols ? unscaled[col] / 256f : 0f;
                        Assert.True(expected == Bf16.ToFloat(a[r, c]), $"tile ({n}, {kb}) row {r} column {c}: expected {expected}, converted {Bf16.ToFloat(a[r, c])}");
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(128, 128)]
    [InlineData(200, 176)]   // padding rows and a K tail of 48 columns
    public void Bf16_fragment_tiles_give_each_thread_exactly_the_matrix_values(int rows, int cols)
    {
        var values = RandomValues(rows * cols, seed: (7 * rows) + cols);
        var matrix = WeightCodec.Quantize(WeightFormat.Bf16, values, rows, cols);
        var nTiles = (rows + 127) / 128;
        var kTiles = (cols + 63) / 64;
        var tiles = new byte[nTiles * kTiles * TileGeometry.Bf16FragTileBytes];
        Bf16FragmentTiler.Tile(matrix, nTiles, kTiles, (n, r) => (n * 128) + r < rows ? (n * 128) + r : WeightRowMap.Padding, tiles);

        for (var n = 0; n < nTiles; n++)
        {
            for (var kb = 0; kb < kTiles; kb++)
            {
                var a = Bf16FragmentModel.Tile(tiles.AsSpan(((n * kTiles) + kb) * TileGeometry.Bf16FragTileBytes, TileGeometry.Bf16FragTileBytes));
                for (var r = 0; r < 128; r++)
                {
                    for (var c = 0; c < 64; c++)
                    {
                        var (row, col) = ((n * 128) + r, (kb * 64) + c);
                        var expected = row < rows && col < cols ? BinaryPrimitives.ReadUInt16LittleEndian(matrix.Data.AsSpan(((row * cols) + col) * 2)) : (ushort)0;
                        Assert.True(expected == a[r, c], $"tile ({n}, {kb}) row {r} column {c}: expected 0x{expected:X4}, stored 0x{a[r, c]:X4}");
                    }
                }
            }
        }
    }

    [Fact]
    public void A_NaN_block_scale_in_the_fragment_layout_is_refused_with_its_place()
    {
        var matrix = WeightCodec.Quantize(WeightFormat.Nvfp4, RandomValues(128 * 64, 4), 128, 64);
        matrix.Scales[(9 * 4) + 1] = 0xFF;
        var error = Assert.Throws<ArgumentException>(() =>
            Nvfp4FragmentTiler.Tile(matrix, 1, 1, (_, r) => r, new byte[TileGeometry.FragTileBytes], "expert 1 W13"));
        Assert.Contains("expert 1 W13", error.Message, StringComparison.Ordinal);
        Assert.Contains("row 9, columns 16..31", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_NaN_block_scale_is_refused_with_its_place()
    {
        var matrix = WeightCodec.Quantize(WeightFormat.Nvfp4, RandomValues(256 * 64, 3), 256, 64);
        matrix.Scales[(5 * 4) + 2] = 0x7F;
        var error = Assert.Throws<ArgumentException>(() =>
            Nvfp4WeightTiler.Tile(matrix, 1, 1, (_, r) => r, new byte[TileGeometry.Fp4TileBytes], "expert 3 W2"));
        Assert.Contains("expert 3 W2", error.Message, StringComparison.Ordinal);
        Assert.Contains("row 5, columns 32..47", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_destination_of_the_wrong_size_is_refused()
    {
        var matrix = WeightCodec.Quantize(WeightFormat.Bf16, RandomValues(256 * 64, 1), 256, 64);
        Assert.Throws<ArgumentException>(() => Bf16WeightTiler.Tile(matrix, 1, 1, (_, r) => r, new byte[100]));
    }

    private static float[] RandomValues(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 4) - 2))];
    }
}
