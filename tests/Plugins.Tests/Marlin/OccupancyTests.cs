using MoeTune.Plugins.Marlin.Planning;

namespace MoeTune.Plugins.Tests.Marlin;

public sealed class OccupancyTests
{
    private static readonly SmResources Hopper = new(65536, 2048, 233472);
    private static readonly SmResources Ada = new(65536, 1536, 102400);

    [Fact]
    public void The_two_column_tile_decode_kernel_fits_four_ctas_on_hopper()
    {
        // 128 registers (its launch bounds) take 4096 per warp: 16 warps, four CTAs; 54564 + 1024 bytes of shared memory: four CTAs.
        Assert.Equal(4, Occupancy.ResidentCtas(Hopper, 128, 128, KernelLimits.DecodeSharedBytes(2)));
    }

    [Fact]
    public void Shared_memory_limits_the_one_tile_kernel_on_hopper_and_everything_on_ada()
    {
        Assert.Equal(6, Occupancy.ResidentCtas(Hopper, 80, 128, KernelLimits.DecodeSharedBytes(1)));
        Assert.Equal(1, Occupancy.ResidentCtas(Ada, 72, 128, KernelLimits.DecodeSharedBytes(2)));
    }

    [Fact]
    public void Threads_limit_small_kernels() => Assert.Equal(12, Occupancy.ResidentCtas(Ada, 32, 128, 0));

    [Fact]
    public void Registers_limit_fat_kernels() => Assert.Equal(2, Occupancy.ResidentCtas(Hopper, 255, 128, 0));

    [Fact]
    public void The_decode_shared_memory_matches_the_struct_sizes() =>
        Assert.Equal((36132, 54564), (KernelLimits.DecodeSharedBytes(1), KernelLimits.DecodeSharedBytes(2)));
}
