using MoeTune.Abstractions.Problems;
using MoeTune.Engine.Bench.Roofline;

namespace MoeTune.Engine.Tests.Bench;

public sealed class RooflineFloorTests
{
    private static readonly MoeShape Qwen3Nvfp4 = new(128, 8, 2048, 768, Activation.SwiGlu, WeightFormat.Nvfp4);

    [Fact]
    public void Expert_bytes_count_elements_block_scales_and_global_scales()
    {
        // W13 [1536, 2048] and W2 [2048, 768]: 4.72M elements at 4 bits, one E4M3 scale per 16, two FP32 global scales.
        const long elements = (1536L * 2048) + (2048L * 768);
        Assert.Equal((elements / 2) + (elements / 16) + 8, RooflineFloor.ExpertBytes(Qwen3Nvfp4));
        Assert.Equal(elements * 2, RooflineFloor.ExpertBytes(Qwen3Nvfp4.WithFormat(WeightFormat.Bf16)));
        Assert.Equal((elements / 2) + (elements / 32), RooflineFloor.ExpertBytes(Qwen3Nvfp4.WithFormat(WeightFormat.Mxfp4)));
    }

    [Fact]
    public void Expert_bytes_include_gpt_oss_biases()
    {
        var gptOss = new MoeShape(128, 4, 2880, 2880, Activation.ClampedSwiGlu, WeightFormat.Mxfp4);
        const long elements = 3L * 2880 * 2880;
        Assert.Equal((elements / 2) + (elements / 32) + ((5760 + 2880) * 4), RooflineFloor.ExpertBytes(gptOss));
    }

    [Fact]
    public void Active_experts_are_the_distinct_ids()
    {
        Assert.Equal(3, RooflineFloor.ActiveExperts([5, 1, 5, 7, 1, 1], 8));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => RooflineFloor.ActiveExperts([0, 8], 8));
        Assert.Contains("0..7", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_floor_is_the_active_weights_over_the_read_bandwidth()
    {
        // One token on experts 0..7: 8 experts' bytes at 2 TB/s; FLOPs at 1 PFLOP/s are negligible.
        var floor = RooflineFloor.Compute(Qwen3Nvfp4, 1, "uniform", [[0, 1, 2, 3, 4, 5, 6, 7]], 2e12, 1e15);

        var bytes = 8 * RooflineFloor.ExpertBytes(Qwen3Nvfp4);
        Assert.Equal(RooflineBound.Memory, floor.Bound);
        Assert.Equal(8, floor.MeanActiveExperts);
        Assert.Equal(bytes, floor.WeightBytes);
        Assert.Equal(bytes / 2e12 * 1e6, floor.FloorMicroseconds, 9);
        Assert.Equal(2.0 * 8 * Qwen3Nvfp4.ParametersPerExpert, floor.Flops);
    }

    [Fact]
    public void Large_batch_floor_is_the_flops_over_the_matrix_rate()
    {
        var tokens = 4096;
        var ids = Enumerable.Range(0, tokens * 8).Select(i => i % 128).ToArray();
        var floor = RooflineFloor.Compute(Qwen3Nvfp4, tokens, "uniform", [ids], 3e12, 1e14);

        Assert.Equal(RooflineBound.Compute, floor.Bound);
        Assert.Equal(128, floor.MeanActiveExperts);
        Assert.Equal(2.0 * tokens * 8 * Qwen3Nvfp4.ParametersPerExpert / 1e14 * 1e6, floor.FloorMicroseconds, 6);
    }

    [Fact]
    public void Floor_is_the_mean_over_rotation_sets_and_the_rotation_bytes_their_union()
    {
        var perExpert = RooflineFloor.ExpertBytes(Qwen3Nvfp4);
        int[] two = [0, 1, 0, 1, 0, 1, 0, 1];
        int[] eight = [2, 3, 4, 5, 6, 7, 8, 9];
        var floor = RooflineFloor.Compute(Qwen3Nvfp4, 1, "zipf(0.5)", [two, eight], 1e12, 1e18);

        Assert.Equal(2, floor.RotationSets);
        Assert.Equal(5, floor.MeanActiveExperts);
        Assert.Equal(10 * perExpert, floor.RotationWeightBytes);
        Assert.Equal(5 * perExpert / 1e12 * 1e6, floor.FloorMicroseconds, 9);
    }

    [Fact]
    public void A_set_of_the_wrong_size_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => RooflineFloor.Compute(Qwen3Nvfp4, 2, "uniform", [[0, 1, 2]], 1e12, 1e14));
        Assert.Contains("2 tokens × top-8 need 16", error.Message, StringComparison.Ordinal);
    }
}
