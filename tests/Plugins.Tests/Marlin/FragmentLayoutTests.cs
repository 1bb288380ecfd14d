using MoeTune.Abstractions.Problems;
using MoeTune.Plugins.Marlin.Layout;

namespace MoeTune.Plugins.Tests.Marlin;

public sealed class FragmentLayoutTests
{
    [Fact]
    public void Every_code_of_a_record_is_one_element_of_the_16_by_64_tile()
    {
        var seen = new HashSet<(int, int)>();
        for (var lane = 0; lane < 32; lane++)
        {
            for (var step = 0; step < 4; step++)
            {
                for (var register = 0; register < 4; register++)
                {
                    for (var half = 0; half < 2; half++)
                    {
                        var (row, k) = FragmentLayout.ElementOf(lane, step, register, half);
                        Assert.InRange(row, 0, 15);
                        Assert.InRange(k, 0, 63);
                        Assert.True(seen.Add((row, k)), $"lane {lane} step {step} register {register} half {half} repeats ({row}, {k})");
                    }
                }
            }
        }

        Assert.Equal(16 * 64, seen.Count);
    }

    [Fact]
    public void A_codes_sit_where_the_ptx_a_fragment_puts_them()
    {
        for (var lane = 0; lane < 32; lane++)
        {
            for (var step = 0; step < 4; step++)
            {
                for (var register = 0; register < 4; register++)
                {
                    for (var half = 0; half < 2; half++)
                    {
                        var (ptxRow, ptxColumn) = DeviceModel.AElement(lane, (2 * register) + half);
                        Assert.Equal((ptxRow, FragmentLayout.PhysicalK(step, ptxColumn)), FragmentLayout.ElementOf(lane, step, register, half));
                    }
                }
            }
        }
    }

    [Fact]
    public void The_eight_codes_of_a_word_fill_its_32_bits_once_each()
    {
        var owner = new (int Register, int Half)?[32];
        for (var register = 0; register < 4; register++)
        {
            for (var half = 0; half < 2; half++)
            {
                var (sign, magnitude) = FragmentLayout.CodeBits(register, half);
                foreach (var bit in new[] { sign, magnitude, magnitude + 1, magnitude + 2 })
                {
                    Assert.InRange(bit, 0, 31);
                    Assert.True(owner[bit] is null, $"bit {bit} is taken by {owner[bit]} and by ({register}, {half})");
                    owner[bit] = (register, half);
                }
            }
        }

        Assert.All(owner, o => Assert.NotNull(o));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void The_device_decode_reads_each_code_from_its_bits(int register)
    {
        // One code at a time, all sixteen values, in either half: the decode must give exactly bf16 sign at 15 and
        // e1 e0 m at 8..6 of that half, and nothing anywhere else.
        for (var half = 0; half < 2; half++)
        {
            var (sign, magnitude) = FragmentLayout.CodeBits(register, half);
            for (uint code = 0; code < 16; code++)
            {
                var word = ((code >> 3) << sign) | ((code & 7) << magnitude);
                var expected = (((code >> 3) << 15) | ((code & 7) << 6)) << (16 * half);
                for (var other = 0; other < 4; other++)
                {
                    Assert.Equal(other == register ? expected : 0u, DeviceModel.Fp4PairToBf16x2(word, other));
                }
            }
        }
    }

    [Fact]
    public void The_k_permutation_is_the_one_the_activation_loads_follow()
    {
        var seen = new HashSet<int>();
        for (var step = 0; step < 4; step++)
        {
            for (var column = 0; column < 16; column++)
            {
                var k = FragmentLayout.PhysicalK(step, column);
                Assert.True(seen.Add(k));
                var lane = (column & 7) >> 1;
                var index = (column >= 8 ? 2 : 0) + (column & 1);
                Assert.Equal(DeviceModel.BPhysicalK(lane, step, index), k);
            }
        }

        Assert.Equal(64, seen.Count);
    }

    [Theory]
    [InlineData(WeightFormat.Nvfp4)]
    [InlineData(WeightFormat.Mxfp4)]
    public void Each_lane_covers_one_block_per_chunk(WeightFormat format)
    {
        for (var lane = 0; lane < 32; lane++)
        {
            var blocks = Enumerable.Range(0, 32)
                .Select(i => FragmentLayout.ElementOf(lane, i / 8, (i / 2) % 4, i % 2).K / FragmentLayout.BlockSize(format))
                .Distinct()
                .ToArray();
            Assert.Equal([FragmentLayout.BlockOfLane(format, lane & 3)], blocks);
        }
    }

    [Theory]
    [InlineData(WeightFormat.Nvfp4, 576, 4)]
    [InlineData(WeightFormat.Mxfp4, 544, 2)]
    public void Scale_bytes_fill_the_record_tail_once_each(WeightFormat format, int recordBytes, int blocks)
    {
        Assert.Equal(recordBytes, FragmentLayout.RecordBytes(format));
        var offsets = new HashSet<int>();
        for (var row = 0; row < 16; row++)
        {
            for (var block = 0; block < blocks; block++)
            {
                var offset = FragmentLayout.ScaleOffset(format, row, block);
                Assert.InRange(offset, 512, recordBytes - 1);
                Assert.True(offsets.Add(offset));
                if (row < 8)
                {
                    // Lane (g, t) reads rows g and g + 8 as one little-endian 16-bit word.
                    Assert.Equal(offset + 1, FragmentLayout.ScaleOffset(format, row + 8, block));
                    Assert.Equal(0, offset % 2);
                }
            }
        }

        Assert.Equal(recordBytes - 512, offsets.Count);
        Assert.Equal(0, recordBytes % 16);
    }

    [Fact]
    public void Records_are_tile_pair_major_then_chunk_then_tile()
    {
        Assert.Equal(0, FragmentLayout.RecordOffset(WeightFormat.Nvfp4, 0, 0, 7));
        Assert.Equal(576, FragmentLayout.RecordOffset(WeightFormat.Nvfp4, 1, 0, 7));
        Assert.Equal(576 * 2, FragmentLayout.RecordOffset(WeightFormat.Nvfp4, 0, 1, 7));
        Assert.Equal(576 * ((((1 * 7) + 5) * 2) + 1), FragmentLayout.RecordOffset(WeightFormat.Nvfp4, 3, 5, 7));
        Assert.Equal(544 * ((2 * 3) - 1), FragmentLayout.RecordOffset(WeightFormat.Mxfp4, 1, 2, 3));  // the last record of [32, 192]
        Assert.Equal(2L * 3 * 544, FragmentLayout.MatrixBytes(WeightFormat.Mxfp4, 32, 192));
    }

    [Fact]
    public void Other_formats_have_no_marlin_layout() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => FragmentLayout.RecordBytes(WeightFormat.Bf16));
}
