using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Plugins.FlashInferCutlass.Support;

namespace MoeTune.Plugins.Tests.FlashInferCutlass;

public sealed class SupportRulesTests
{
    public static TheoryData<MoeShape> ServedPresets => [.. TestShapes.Presets(WeightFormat.Bf16).Concat(TestShapes.Presets(WeightFormat.Nvfp4))];

    [Theory]
    [MemberData(nameof(ServedPresets))]
    public void Presets_in_bf16_and_NVFP4_run_on_an_H100(MoeShape shape) =>
        Assert.True(SupportRules.Check(TestShapes.H100, shape).IsSupported, SupportRules.Check(TestShapes.H100, shape).Reason);

    [Fact]
    public void The_CPU_is_refused() =>
        AssertNo(SupportRules.Check(DeviceInfo.HostCpu, Mixtral(WeightFormat.Bf16)), "NVIDIA GPUs only");

    [Theory]
    [InlineData(8, 0)]
    [InlineData(8, 9)]
    [InlineData(10, 0)]
    [InlineData(12, 0)]
    public void Other_architectures_are_refused_naming_theirs(int major, int minor) =>
        AssertNo(SupportRules.Check(TestShapes.H100 with { SmMajor = major, SmMinor = minor }, Mixtral(WeightFormat.Bf16)), $"sm_{major}{minor}");

    [Theory]
    [InlineData(WeightFormat.Fp8)]
    [InlineData(WeightFormat.Mxfp4)]
    public void Formats_it_does_not_serve_are_refused(WeightFormat format) =>
        AssertNo(SupportRules.Check(TestShapes.H100, Mixtral(format)), format.ToName());

    [Fact]
    public void The_clamped_SwiGLU_of_gpt_oss_is_refused() =>
        AssertNo(SupportRules.Check(TestShapes.H100, new MoeShape(128, 4, 2880, 2880, Activation.ClampedSwiGlu, WeightFormat.Bf16)), "swiglu-clamped");

    [Fact]
    public void More_experts_than_the_router_counts_are_refused() =>
        AssertNo(SupportRules.Check(TestShapes.H100, new MoeShape(2048, 8, 1024, 512, Activation.SwiGlu, WeightFormat.Bf16)), "1024 experts");

    [Fact]
    public void Rows_that_are_not_16_byte_multiples_are_refused() =>
        AssertNo(SupportRules.Check(TestShapes.H100, new MoeShape(8, 2, 4100, 512, Activation.SwiGlu, WeightFormat.Bf16)), "multiples of 8");

    [Fact]
    public void Too_little_shared_memory_is_refused() =>
        AssertNo(SupportRules.Check(TestShapes.H100 with { MaxSharedMemoryPerBlockOptin = 101_376 }, Mixtral(WeightFormat.Bf16)), "197716 bytes");

    private static MoeShape Mixtral(WeightFormat format) => new(8, 2, 4096, 14336, Activation.SwiGlu, format);

    private static void AssertNo(Abstractions.Backends.SupportDecision decision, string reasonPart)
    {
        Assert.False(decision.IsSupported);
        Assert.Contains(reasonPart, decision.Reason, StringComparison.Ordinal);
    }
}
