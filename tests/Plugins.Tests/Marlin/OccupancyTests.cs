using MoeTune.Plugins.Marlin.Planning;

namespace MoeTune.Plugins.Tests.Marlin;

public sealed class OccupancyTests
{
    private static readonly SmResources Hopper = new(65536, 2048, 233472);
    private static readonly SmResources Ada = new(65536, 1536, 102400);

    [Fact]
    public void The_decode_kernels_fit_eight_and_five_ctas_on_hopper()
    {
        // _nt1: 64 registers (its launch bounds) take 2048 per warp, 32 warps; its 22636 + 1024 bytes of shared memory
        // would allow nine. _nt2: 96 registers allow 21 warps, five CTAs; its 41068 + 1024 bytes allow five too.
        Assert.Equal(8, Occupancy.ResidentCtas(Hopper, 64, 128, KernelLimits.DecodeSharedBytes(1)));
        Assert.Equal(5, Occupancy.ResidentCtas(Hopper, 96, 128, KernelLimits.DecodeSharedBytes(2)));
    }

    [Fact]
    public void Shared_memory_limits_the_decode_kernels_on_ada()
    {
        Assert.Equal(4, Occupancy.ResidentCtas(Ada, 64, 128, KernelLimits.DecodeSharedBytes(1)));
        Assert.Equal(2, Occupancy.ResidentCtas(Ada, 96, 128, KernelLimits.DecodeSharedBytes(2)));
    }

    [Fact]
    public void Threads_limit_small_kernels() => Assert.Equal(12, Occupancy.ResidentCtas(Ada, 32, 128, 0));

    [Fact]
    public void Registers_limit_fat_kernels() => Assert.Equal(2, Occupancy.ResidentCtas(Hopper, 255, 128, 0));

    [Fact]
    public void The_decode_shared_memory_matches_the_struct_sizes() =>
        Assert.Equal((21612, 40044), (KernelLimits.DecodeSharedBytes(1), KernelLimits.DecodeSharedBytes(2)));

    [Fact]
    public void The_bulk_ring_starts_where_the_struct_puts_it()
    {
        // sizeof(BulkShared<NT>) less its RoutingScratch (4352 bytes), as NVRTC 12.4 lays it out: 10240 and 16384.
        Assert.Equal((10240, 16384), (KernelLimits.DecodeBulkRingOffset(1), KernelLimits.DecodeBulkRingOffset(2)));
    }
}
