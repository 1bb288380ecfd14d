using MoeTune.Cuda.Compilation;

namespace MoeTune.Cuda.Tests.Compilation;

public sealed class GpuArchTests
{
    [Theory]
    [InlineData("sm_80", 8, 0, false)]
    [InlineData("sm_89", 8, 9, false)]
    [InlineData("sm_90a", 9, 0, true)]
    [InlineData("sm_100a", 10, 0, true)]
    [InlineData("sm_120", 12, 0, false)]
    public void Parses_and_prints_nvrtc_names(string text, int major, int minor, bool specific)
    {
        var arch = GpuArch.Parse(text);

        Assert.Equal(new GpuArch(major, minor, specific), arch);
        Assert.Equal(text, arch.ToString());
        Assert.Equal($"--gpu-architecture={text}", arch.Option);
    }

    [Theory]
    [InlineData("compute_90")]
    [InlineData("sm_9")]
    [InlineData("sm_9x")]
    [InlineData("")]
    public void Rejects_what_is_not_an_sm_target(string text) => Assert.False(GpuArch.TryParse(text, out _));

    [Fact]
    public void Orders_by_capability_then_specificity()
    {
        Assert.True(GpuArch.Sm89 < GpuArch.Sm90);
        Assert.True(GpuArch.Sm90 < GpuArch.Sm90a);
        Assert.True(GpuArch.Sm90a < GpuArch.Sm100);
    }

    [Fact]
    public void An_arch_specific_requirement_selects_the_a_target_and_refuses_other_devices()
    {
        Assert.True(ArchRequirement.Sm90aOnly.TrySelectTarget(9, 0, out var target, out _));
        Assert.Equal(GpuArch.Sm90a, target);
        Assert.False(ArchRequirement.Sm90aOnly.TrySelectTarget(8, 9, out _, out var reason));
        Assert.Contains("sm_89", reason, StringComparison.Ordinal);
        Assert.False(ArchRequirement.Sm90aOnly.Allows(GpuArch.Sm90));
    }

    [Fact]
    public void A_portable_requirement_compiles_for_the_device_itself()
    {
        Assert.True(ArchRequirement.Sm80Plus.TrySelectTarget(12, 0, out var target, out _));
        Assert.Equal(GpuArch.Sm120, target);
        Assert.False(ArchRequirement.Sm80Plus.TrySelectTarget(7, 5, out _, out _));
        Assert.True(ArchRequirement.Sm80Plus.Allows(GpuArch.Sm90a));
    }

    [Fact]
    public void A_catalog_compiles_each_build_for_each_declared_arch_its_requirement_allows()
    {
        var catalog = new TestCatalog();

        var targets = catalog.CompileTargets().Select(t => $"{t.Build.Name}@{t.Arch}").ToArray();

        Assert.Equal(["portable@sm_80", "portable@sm_90a", "hopper@sm_90a"], targets);
    }

    private sealed class TestCatalog : IKernelCatalog
    {
        public IReadOnlyList<GpuArch> Architectures { get; } = [GpuArch.Sm80, GpuArch.Sm90a];

        public IEnumerable<KernelBuild> Builds =>
        [
            new KernelBuild { Name = "portable", Source = new KernelSource("p.cu", "") },
            new KernelBuild { Name = "hopper", Source = new KernelSource("h.cu", ""), Requirement = ArchRequirement.Sm90aOnly },
        ];
    }
}
