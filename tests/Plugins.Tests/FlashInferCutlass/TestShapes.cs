using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;

namespace MoeTune.Plugins.Tests.FlashInferCutlass;

/// <summary>Devices and problem shapes the FlashInferCutlass CPU tests share.</summary>
internal static class TestShapes
{
    /// <summary>An H100 SXM as the driver describes it.</summary>
    public static DeviceInfo H100 { get; } = new()
    {
        Kind = DeviceKind.Cuda,
        Name = "NVIDIA H100 80GB HBM3",
        SmMajor = 9,
        SmMinor = 0,
        MultiprocessorCount = 132,
        TotalMemoryBytes = 85_520_809_984,
        L2CacheBytes = 52_428_800,
        MaxSharedMemoryPerBlockOptin = 232_448,
        DriverVersion = "13.0",
    };

    /// <summary>The presets' shapes (DESIGN.md) in a format.</summary>
    public static IEnumerable<MoeShape> Presets(WeightFormat format) =>
    [
        new(8, 2, 4096, 14336, Activation.SwiGlu, format),     // mixtral-8x7b
        new(128, 8, 2048, 768, Activation.SwiGlu, format),     // qwen3-30b-a3b
        new(128, 8, 4096, 1536, Activation.SwiGlu, format),    // qwen3-235b-a22b
        new(256, 8, 7168, 2048, Activation.SwiGlu, format),    // deepseek-v3
        new(16, 1, 5120, 8192, Activation.SwiGlu, format),     // llama-4-scout
        new(512, 22, 1024, 2688, Activation.ReluSquared, format), // nemotron-3-super
    ];
}
