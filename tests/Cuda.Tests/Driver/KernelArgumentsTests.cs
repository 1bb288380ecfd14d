using System.Runtime.CompilerServices;
using MoeTune.Cuda.Driver;

namespace MoeTune.Cuda.Tests.Driver;

public sealed class KernelArgumentsTests
{
    [Fact]
    public void Each_parameter_is_stored_at_an_aligned_offset_with_its_bytes()
    {
        var arguments = new KernelArguments().Add((nint)0x1234_5678).Add(7).Add(2.5).Add((byte)9);

        Assert.Equal(4, arguments.Count);
        Assert.Equal([0, 16, 32, 48], arguments.Offsets.ToArray());
        Assert.Equal((nint)0x1234_5678, Unsafe.ReadUnaligned<nint>(ref arguments.Data[0]));
        Assert.Equal(7, Unsafe.ReadUnaligned<int>(ref arguments.Data[16]));
        Assert.Equal(2.5, Unsafe.ReadUnaligned<double>(ref arguments.Data[32]));
        Assert.Equal(9, arguments.Data[48]);
    }

    [Fact]
    public void Grows_for_large_structs_and_many_parameters_and_clears_for_reuse()
    {
        var arguments = new KernelArguments();
        for (var i = 0; i < 40; i++)
        {
            arguments.Add(default(MoeTune.Cuda.Native.TensorMap));
        }

        Assert.Equal(40, arguments.Count);
        Assert.Equal(39 * 128, arguments.Offsets[39]);
        Assert.Equal(0, arguments.Clear().Count);
        Assert.Equal(0, arguments.Add(1).Offsets[0]);
    }

    [Fact]
    public void A_launch_configuration_rejects_empty_extents_and_partial_clusters()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LaunchConfig(0, 128).Validate());
        Assert.Throws<ArgumentException>(() => new LaunchConfig(new Dim3(6), 128, Cluster: new Dim3(4)).Validate());
        new LaunchConfig(new Dim3(8), 128, Cluster: new Dim3(4)).Validate();
    }
}
