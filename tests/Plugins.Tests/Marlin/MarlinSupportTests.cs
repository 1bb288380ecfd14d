using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Models.Presets;
using MoeTune.Plugins.Marlin;
using MoeTune.Plugins.Marlin.Planning;

namespace MoeTune.Plugins.Tests.Marlin;

public sealed class MarlinSupportTests
{
    internal static DeviceInfo Gpu(int major, int minor, int sharedOptin = 232448) => new()
    {
        Kind = DeviceKind.Cuda,
        Name = "test GPU",
        SmMajor = major,
        SmMinor = minor,
        MultiprocessorCount = 132,
        MaxSharedMemoryPerBlockOptin = sharedOptin,
    };

    [Fact]
    public void Every_preset_runs_on_ampere_ada_and_hopper()
    {
        foreach (var preset in ModelPresets.All)
        {
            foreach (var device in new[] { Gpu(8, 0, 166912), Gpu(8, 9, 101376), Gpu(9, 0) })
            {
                Assert.True(MarlinSupport.Check(device, preset.Shape).IsSupported, $"{preset.Name} on {device.Arch}");
            }
        }
    }

    [Fact]
    public void The_cpu_is_refused() =>
        Assert.Contains("NVIDIA GPU", MarlinSupport.Check(DeviceInfo.HostCpu, Qwen()).Reason, StringComparison.Ordinal);

    [Fact]
    public void Pre_ampere_gpus_are_refused_with_their_architecture()
    {
        var decision = MarlinSupport.Check(Gpu(7, 5), Qwen());
        Assert.False(decision.IsSupported);
        Assert.Contains("sm_75", decision.Reason, StringComparison.Ordinal);
        Assert.Contains("8.0", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(WeightFormat.Bf16)]
    [InlineData(WeightFormat.Fp8)]
    public void Wide_weight_formats_are_refused_as_w4a16_only(WeightFormat format)
    {
        var decision = MarlinSupport.Check(Gpu(9, 0), Qwen().WithFormat(format));
        Assert.False(decision.IsSupported);
        Assert.Contains("W4A16", decision.Reason, StringComparison.Ordinal);
        Assert.Contains(format.ToName(), decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2080, 768)]
    [InlineData(2048, 800)]
    public void Sizes_off_the_64_chunk_are_refused_naming_both(int hidden, int intermediate)
    {
        var decision = MarlinSupport.Check(Gpu(9, 0), new MoeShape(64, 4, hidden, intermediate, Activation.SwiGlu, WeightFormat.Nvfp4));
        Assert.False(decision.IsSupported);
        Assert.Contains($"{hidden}", decision.Reason, StringComparison.Ordinal);
        Assert.Contains($"{intermediate}", decision.Reason, StringComparison.Ordinal);
        Assert.Contains("64", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void More_than_1024_experts_are_refused() =>
        Assert.Contains("1024 experts", MarlinSupport.Check(Gpu(9, 0), new MoeShape(2048, 8, 1024, 512, Activation.SwiGlu, WeightFormat.Nvfp4)).Reason, StringComparison.Ordinal);

    [Fact]
    public void Too_little_shared_memory_is_refused() =>
        Assert.Contains(
            "shared memory",
            MarlinSupport.Check(Gpu(8, 0, sharedOptin: KernelLimits.DecodeSharedBytes(2) - 1), Qwen()).Reason,
            StringComparison.Ordinal);

    private static MoeShape Qwen() => LayerGeometryTests.Shape("qwen3-30b-a3b");
}
