using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Tuning;
using MoeTune.TuningDb;

namespace MoeTune.Tuning.Tests.Store.Support;

/// <summary>Devices, problems and records to store.</summary>
internal static class Samples
{
    public static readonly DateTimeOffset Noon = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static DeviceInfo H100(string driver = "12.8") => new()
    {
        Kind = DeviceKind.Cuda,
        Name = "NVIDIA H100 80GB HBM3",
        SmMajor = 9,
        SmMinor = 0,
        MultiprocessorCount = 132,
        TotalMemoryBytes = 85_520_809_984,
        DriverVersion = driver,
    };

    public static MoeShape Qwen3 { get; } = new(128, 8, 2048, 768, Activation.SwiGlu, WeightFormat.Nvfp4);

    public static MoeShape Mixtral { get; } = new(8, 2, 4096, 14336, Activation.SwiGlu, WeightFormat.Bf16);

    public static PluginKey Marlin { get; } = new("Marlin", "1.0.0", "a1b2c3");

    public static PluginKey Cutlass { get; } = new("FlashInferCutlass", "1.0.0", "d4e5f6");

    public static CandidateMeasurement Timed(PluginKey plugin, double micros = 100, DateTimeOffset? at = null, DeviceInfo? device = null, MoeShape? problem = null)
    {
        device ??= H100();
        return new CandidateMeasurement
        {
            Gpu = GpuClass.Of(device),
            DriverVersion = device.DriverVersion,
            Problem = problem ?? Qwen3,
            Plugin = plugin,
            Outcome = CandidateOutcome.Ok,
            CorrectnessError = 0.0031,
            WeightBytes = 3L << 30,
            WorkspaceBytes = 64L << 20,
            Buckets = [new BucketTiming(1, 48, [micros, micros * 1.01, micros * 0.99]), new BucketTiming(4096, 1, [micros * 40, micros * 41])],
            MeasuredAt = at ?? Noon,
            ToolVersion = "0.1.0",
        };
    }

    public static CandidateMeasurement Failed(PluginKey plugin, string error) => Timed(plugin) with
    {
        Outcome = CandidateOutcome.Failed,
        Detail = error,
        CorrectnessError = null,
        Buckets = [],
        WeightBytes = 0,
        WorkspaceBytes = 0,
    };

    public static TuningDecision Decision(DeviceInfo? device = null, Plan? plan = null, DateTimeOffset? at = null, TuningObjective objective = TuningObjective.Latency)
    {
        device ??= H100();
        return new TuningDecision
        {
            Gpu = GpuClass.Of(device),
            Problem = Qwen3,
            Objective = objective,
            Plan = plan ?? new Plan([new PlanStep(64, "Marlin"), new PlanStep(int.MaxValue, "FlashInferCutlass")]),
            Cost = 123.5,
            RunnerUp = Plan.OneBackend("Marlin"),
            MarginOverRunnerUp = 0.12,
            Plugins = [Marlin, Cutlass],
            Provenance = new Provenance(at ?? Noon, "0.1.0", device.Name, device.DriverVersion, Provenance.HashHost("gpu-node-7")),
        };
    }
}
