using MoeTune.Cuda.Compilation;

namespace MoeTune.Cuda.Tests.Compilation;

public sealed class KernelBuildTests
{
    private static readonly KernelBuild Build = new()
    {
        Name = "test/defines",
        Source = new KernelSource("defines.cu", "extern \"C\" __global__ void k() {}"),
        Defines = new Dictionary<string, string> { ["B"] = "2", ["A"] = "1" },
    };

    [Fact]
    public void WithDefines_adds_macros_overrides_a_given_name_and_keeps_the_option_order_by_name()
    {
        var varied = Build.WithDefines(new Dictionary<string, string> { ["A"] = "0", ["C"] = "3" });

        Assert.Equal(["-DA=0", "-DB=2", "-DC=3"], varied.CompileOptions(GpuArch.Sm90a).Where(o => o.StartsWith("-D", StringComparison.Ordinal)));
        Assert.Equal(["-DA=1", "-DB=2"], Build.CompileOptions(GpuArch.Sm90a).Where(o => o.StartsWith("-D", StringComparison.Ordinal)));
    }

    [Fact]
    public void WithDefines_of_no_macros_is_the_build_itself()
    {
        Assert.Same(Build, Build.WithDefines(new Dictionary<string, string>()));
    }
}
