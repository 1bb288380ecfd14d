using MoeTune.Abstractions.Problems;
using MoeTune.Plugins.Marlin;
using MoeTune.Plugins.Marlin.Layout;
using MoeTune.Plugins.Marlin.Planning;

namespace MoeTune.Plugins.Tests.Marlin;

public sealed class DecodeLaunchTests
{
    // An H100's SM: 64 Ki registers, 2048 threads, 228 KiB of shared memory; a block may opt in to 227 KiB.
    private static readonly SmResources Hopper = new(65536, 2048, 233472);
    private const int HopperBlockOptin = 232448;

    [Fact]
    public void The_register_ring_takes_its_struct_size_and_128_threads()
    {
        var launch = DecodeLaunch.For(DecodePipeline.RegisterRing, Hopper, HopperBlockOptin, 576);
        Assert.Equal(KernelLimits.DecodeThreads, launch.Threads);
        Assert.Equal((KernelLimits.DecodeSharedBytes(1), KernelLimits.DecodeSharedBytes(2)), (launch.SharedBytes(1), launch.SharedBytes(2)));
    }

    [Fact]
    public void The_bulk_pipeline_takes_a_third_or_a_half_of_a_hopper_sm_and_holds_three_or_two_ctas()
    {
        var launch = DecodeLaunch.For(DecodePipeline.BulkCopy, Hopper, HopperBlockOptin, 576);
        Assert.Equal(160, launch.Threads);
        Assert.Equal((76800, 115712), (launch.SharedBytes(1), launch.SharedBytes(2)));
        // The kernels' launch bounds cap registers at 128 (three CTAs of five warps) and 204 (two); ptxas gives 128 and 150.
        Assert.Equal(3, Occupancy.ResidentCtas(Hopper, 128, launch.Threads, launch.SharedBytes(1)));
        Assert.Equal(2, Occupancy.ResidentCtas(Hopper, 152, launch.Threads, launch.SharedBytes(2)));
    }

    [Theory]
    [InlineData(1, 1, 12)]  // one token: 12 stages (the most) of 4608 + 528 bytes
    [InlineData(1, 8, 7)]   // a full n-tile: 8832-byte stages (8 records of two row tiles, 8 slices of 4 chunks)
    [InlineData(2, 16, 7)]  // two full n-tiles: 13056-byte stages
    public void A_hopper_share_holds_a_deep_ring_for_one_token_and_at_least_seven_stages_for_a_full_group(int columnTiles, int columns, int stages)
    {
        var launch = DecodeLaunch.For(DecodePipeline.BulkCopy, Hopper, HopperBlockOptin, 576);
        var ring = launch.SharedBytes(columnTiles) - KernelLimits.DecodeBulkRingOffset(columnTiles);
        var stageBytes = KernelLimits.DecodeBulkStageBytes(FragmentLayout.RecordBytes(WeightFormat.Nvfp4), columns);
        Assert.Equal(stages, Math.Min(KernelLimits.DecodeBulkMaxStages, ring / stageBytes));
    }

    [Fact]
    public void The_overlapped_pipeline_takes_a_quarter_or_a_third_of_a_hopper_sm_and_holds_four_or_three_ctas()
    {
        var launch = DecodeLaunch.For(DecodePipeline.BulkCopyOverlapped, Hopper, HopperBlockOptin, 576);
        Assert.Equal(160, launch.Threads);
        Assert.Equal((57344, 76800), (launch.SharedBytes(1), launch.SharedBytes(2)));
        // Launch bounds of 4 and 3 CTAs cap registers at 96 and 128 (ptxas uses all of them, without spills).
        Assert.Equal(4, Occupancy.ResidentCtas(Hopper, 96, launch.Threads, launch.SharedBytes(1)));
        Assert.Equal(3, Occupancy.ResidentCtas(Hopper, 128, launch.Threads, launch.SharedBytes(2)));
    }

    [Theory]
    [InlineData(1, 1, 9)]   // one token: 9 stages of 4608 + 528 bytes
    [InlineData(1, 4, 7)]   // 4 pairs of an expert (sparse 16-token routing): 6720-byte stages
    [InlineData(1, 8, 5)]   // a full n-tile: 8832-byte stages
    [InlineData(2, 16, 4)]  // two full n-tiles: 13056-byte stages
    public void An_overlapped_share_holds_at_least_four_stages_of_a_full_group(int columnTiles, int columns, int stages)
    {
        var launch = DecodeLaunch.For(DecodePipeline.BulkCopyOverlapped, Hopper, HopperBlockOptin, 576);
        var ring = launch.SharedBytes(columnTiles) - KernelLimits.DecodeBulkRingOffset(columnTiles);
        var stageBytes = KernelLimits.DecodeBulkStageBytes(FragmentLayout.RecordBytes(WeightFormat.Nvfp4), columns);
        Assert.Equal(stages, Math.Min(KernelLimits.DecodeBulkMaxStages, ring / stageBytes));
    }

    [Theory]
    [InlineData(DecodePipeline.RegisterRing, 8, 256, 8, 1)]
    [InlineData(DecodePipeline.RegisterRing, 9, 256, 8, 2)]
    [InlineData(DecodePipeline.BulkCopy, 16, 256, 8, 2)]
    [InlineData(DecodePipeline.BulkCopyOverlapped, 8, 8, 2, 1)]
    [InlineData(DecodePipeline.BulkCopyOverlapped, 16, 256, 8, 1)]  // DeepSeek-V3: 128 pairs over 256 experts
    [InlineData(DecodePipeline.BulkCopyOverlapped, 16, 128, 8, 1)]  // Qwen3: a mean of 1
    [InlineData(DecodePipeline.BulkCopyOverlapped, 16, 8, 2, 1)]    // Mixtral: a mean of 4
    [InlineData(DecodePipeline.BulkCopyOverlapped, 12, 4, 2, 2)]    // a mean of 6, dense
    [InlineData(DecodePipeline.BulkCopyOverlapped, 11, 4, 2, 1)]    // a mean of 5.5
    public void Above_8_tokens_only_the_overlapped_pipeline_keeps_one_n_tile_and_only_for_sparse_routing(
        DecodePipeline pipeline, int tokens, int experts, int topK, int columnTiles)
    {
        var launch = DecodeLaunch.For(pipeline, Hopper, HopperBlockOptin, 576);
        Assert.Equal(columnTiles, launch.ColumnTiles(tokens, topK, experts));
    }

    [Fact]
    public void An_sm_of_100_kib_holds_three_one_tile_ctas_and_two_two_tile_ctas()
    {
        // SM 12.0: 100 KiB per SM, 99 KiB per block. One n-tile needs 10240 + 2 x 8832 = 27904 bytes, within a third of
        // the SM less the reserve (33024); two n-tiles need 16384 + 2 x 13056 = 42496 bytes, within half (50176).
        var launch = DecodeLaunch.For(DecodePipeline.BulkCopy, new SmResources(65536, 1536, 102400), 101376, 576);
        Assert.Equal((33024, 50176), (launch.SharedBytes(1), launch.SharedBytes(2)));
    }

    [Fact]
    public void An_sm_below_two_full_stages_is_refused_with_the_numbers()
    {
        var small = new SmResources(65536, 2048, 40960);
        var error = Assert.Throws<NotSupportedException>(() => DecodeLaunch.For(DecodePipeline.BulkCopy, small, 39936, 576));
        Assert.Contains("2 n-tile(s) needs 42496 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Stage_slices_are_skewed_by_16_bytes_so_that_a_quarter_warp_reads_distinct_bank_groups()
    {
        // Lanes 0..7 are columns g = 0, 1 and k offsets t = 0..3: slice g at g * stride, lane's bytes at 32 t (+16).
        var stride = KernelLimits.DecodeBulkColumnStride;
        foreach (var half in new[] { 0, 16 })
        {
            var groups = Enumerable.Range(0, 8).Select(lane => (((lane >> 2) * stride) + (32 * (lane & 3)) + half) % 128 / 16);
            Assert.Equal(8, groups.Distinct().Count());
        }
    }
}
