using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;
using MoeTune.Plugins.Marlin.Layout;
using MoeTune.Reference.Formats;

namespace MoeTune.Plugins.Tests.Marlin;

/// <summary>
/// The reshuffle read back the way the GPU reads it: for every record, lane, k-step and A register, the kernel's bit
/// decode (DeviceModel) gives an element that the PTX fragment layout places at an (MMA row, logical column); the B
/// operand the decode kernel loads puts some activation index at that logical column. The product the mma forms must be
/// exactly the checkpoint's weight at that (row, k) times that activation, for every element of the matrix.
/// </summary>
public sealed class ReshuffleDecodeTests
{
    [Theory]
    [InlineData(WeightFormat.Nvfp4, 32, 128, 1)]
    [InlineData(WeightFormat.Nvfp4, 64, 192, 2)]
    [InlineData(WeightFormat.Mxfp4, 32, 128, 3)]
    [InlineData(WeightFormat.Mxfp4, 96, 256, 4)]
    public void Quantized_matrices_decode_exactly_in_identity_order(WeightFormat format, int rows, int cols, int seed)
    {
        var matrix = TestMatrices.Quantized(format, rows, cols, seed);
        AssertDecodesExactly(matrix, RowOrder.Identity(rows));
    }

    [Theory]
    [InlineData(WeightFormat.Nvfp4, 16, 64, 5)]
    [InlineData(WeightFormat.Nvfp4, 48, 128, 6)]
    [InlineData(WeightFormat.Mxfp4, 32, 64, 7)]
    public void Gated_w13_decodes_exactly_with_gate_and_up_interleaved(WeightFormat format, int intermediate, int cols, int seed)
    {
        var matrix = TestMatrices.Quantized(format, 2 * intermediate, cols, seed);
        AssertDecodesExactly(matrix, RowOrder.GateUpInterleaved(intermediate));
    }

    [Theory]
    [InlineData(11, 0.75f)]
    [InlineData(12, 3.0e-5f)]
    [InlineData(13, 1.0f / 2688f)]
    public void Every_e4m3_scale_and_code_decodes_exactly(int seed, float globalScale)
    {
        // Negative scales, zero scales over non-zero codes, subnormal scales, ±0 codes: all must come out exact.
        var matrix = TestMatrices.Raw(WeightFormat.Nvfp4, 64, 512, TestMatrices.FiniteE4M3Codes, seed, globalScale);
        AssertDecodesExactly(matrix, RowOrder.Identity(64));
    }

    [Fact]
    public void E8m0_scales_across_a_wide_range_decode_exactly()
    {
        // e_max = 250 (6 · 2^123 still fits a float): blocks with e <= 123 are flushed, holding values under
        // 6 · 2^(123 - 127) < 0.5.
        var codes = Enumerable.Range(100, 54).Select(c => (byte)c).Append((byte)0).Append((byte)250).Append((byte)128).ToArray();
        var matrix = TestMatrices.Raw(WeightFormat.Mxfp4, 32, 512, codes, seed: 21);
        AssertDecodesExactly(matrix, RowOrder.Identity(32), flushBelow: 0.5);
    }

    [Fact]
    public void E8m0_blocks_far_below_the_largest_are_flushed_to_zero()
    {
        // 2^-127 next to 2^123: 250 binades apart, beyond what one bf16 product can span.
        var codes = new byte[] { 0, 250 };
        var matrix = TestMatrices.Raw(WeightFormat.Mxfp4, 32, 64, codes, seed: 22);
        AssertDecodesExactly(matrix, RowOrder.Identity(32), flushBelow: Math.ScaleB(1.0, -120));
    }

    [Fact]
    public void A_matrix_of_an_odd_number_of_row_tiles_is_refused_with_its_size()
    {
        var matrix = TestMatrices.Quantized(WeightFormat.Nvfp4, 48, 64, seed: 8);
        var records = new byte[FragmentLayout.MatrixBytes(WeightFormat.Nvfp4, 48, 64)];
        var error = Assert.Throws<ArgumentException>(() => WeightReshuffler.Reshuffle(matrix, RowOrder.Identity(48), "w2[3]", records));
        Assert.Contains("w2[3]: N = 48 is not a multiple of 32", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Decodes every element as the GPU would and compares it with the reference's exact value (element × block scale
    /// × global scale, in double). Elements whose true magnitude is below <paramref name="flushBelow"/> may decode to
    /// zero (MXFP4's documented flush); nothing else may differ in any bit.
    /// </summary>
    private static void AssertDecodesExactly(QuantizedMatrix matrix, RowOrder order, double flushBelow = 0)
    {
        var format = matrix.Format;
        var records = new byte[FragmentLayout.MatrixBytes(format, matrix.Rows, matrix.Cols)];
        var factor = WeightReshuffler.Reshuffle(matrix, order, "test matrix", records);
        var expected = ExactValues(matrix);
        var chunks = matrix.Cols / FragmentLayout.ChunkK;
        var recordBytes = FragmentLayout.RecordBytes(format);
        var seen = new bool[matrix.Rows, matrix.Cols];
        for (var tile = 0; tile < matrix.Rows / 16; tile++)
        {
            for (var chunk = 0; chunk < chunks; chunk++)
            {
                var record = records.AsSpan((int)FragmentLayout.RecordOffset(format, tile, chunk, chunks), recordBytes);
                for (var lane = 0; lane < 32; lane++)
                {
                    var (g, t) = (lane >> 2, lane & 3);
                    var scaleOffset = 512 + (format == WeightFormat.Nvfp4 ? 16 * t : 16 * (t >> 1)) + (2 * g);
                    var (scalesLow, scalesHigh) = DeviceModel.DecodeScales(BitConverter.ToUInt16(record.Slice(scaleOffset, 2)), format);
                    for (var step = 0; step < 4; step++)
                    {
                        var word = BitConverter.ToUInt32(record.Slice((16 * lane) + (4 * step), 4));
                        for (var register = 0; register < 4; register++)
                        {
                            var pair = DeviceModel.Fp4PairToBf16x2(word, register);
                            var scales = register % 2 == 0 ? scalesLow : scalesHigh;
                            for (var half = 0; half < 2; half++)
                            {
                                var element = (ushort)(pair >> (16 * half));
                                var scale = (ushort)(scales >> (16 * half));
                                var product = DeviceModel.ExactBf16Product(element, scale);
                                Assert.True(product.HasValue, $"tile {tile} chunk {chunk} lane {lane} step {step} register {register}: the bf16 product is not exact");
                                Assert.True(product == 0 || Math.Abs(product.Value) >= Math.ScaleB(1.0, -126), "the bf16 product must be a normal number");

                                // The mma pairs A's logical column with the B element of the same k row.
                                var (row, column) = DeviceModel.AElement(lane, (2 * register) + half);
                                // Lane (g, t) with t = (column mod 8) / 2 holds B's k row `column`, for its own n column g;
                                // which k it loads depends on t only, so lane t (g = 0) stands for all.
                                var bLane = (column & 7) >> 1;
                                var bIndex = (column >= 8 ? 2 : 0) + (column & 1);
                                Assert.Equal(column, DeviceModel.BElement(bLane, bIndex).K);
                                var k = (chunk * FragmentLayout.ChunkK) + DeviceModel.BPhysicalK(bLane, step, bIndex);
                                var canonical = order.CanonicalRow((tile * 16) + row);
                                Assert.False(seen[canonical, k], $"row {canonical}, k {k} decoded twice");
                                seen[canonical, k] = true;
                                var decoded = product.Value * factor;
                                var truth = expected[canonical, k];
                                if (Math.Abs(truth) < flushBelow && decoded == 0)
                                {
                                    continue;
                                }

                                Assert.True(decoded == truth, $"row {canonical}, k {k}: decoded {decoded:R}, the checkpoint holds {truth:R}");
                            }
                        }
                    }
                }
            }
        }

        Assert.All(Enumerable.Range(0, matrix.Rows), r => Assert.All(Enumerable.Range(0, matrix.Cols), k => Assert.True(seen[r, k])));
    }

    private static double[,] ExactValues(QuantizedMatrix matrix)
    {
        var values = new double[matrix.Rows, matrix.Cols];
        var row = new float[matrix.Cols];
        for (var r = 0; r < matrix.Rows; r++)
        {
            WeightCodec.DequantizeRowUnscaled(matrix, r, row);
            for (var k = 0; k < matrix.Cols; k++)
            {
                values[r, k] = row[k] * (double)matrix.GlobalScale;
            }
        }

        return values;
    }
}
