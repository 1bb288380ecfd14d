using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Engine.Selection;
using MoeTune.Tuning;
using MoeTune.TuningDb;

namespace MoeTune.Engine.Tests.Selection;

/// <summary>Candidates shaped like the real plugins: a supported Marlin, an unsupported TrtLlm, a supported FlashInferCutlass.</summary>
internal static class SelectionFixtures
{
    public static SelectionCandidate Marlin { get; } = Candidate("Marlin", ["MARLIN"], SupportDecision.Yes);

    public static SelectionCandidate TrtLlm { get; } = Candidate("TrtLlm", ["FLASHINFER_TRTLLM"], SupportDecision.No("needs SM100 or newer"));

    public static SelectionCandidate Cutlass { get; } = Candidate("FlashInferCutlass", ["FLASHINFER_CUTLASS"], SupportDecision.Yes);

    /// <summary>In priority order: TrtLlm first (unsupported here), then FlashInferCutlass, then Marlin.</summary>
    public static IReadOnlyList<SelectionCandidate> Candidates { get; } = [TrtLlm, Cutlass, Marlin];

    public static SelectionCandidate Candidate(string name, string[] aliases, SupportDecision support, string version = "1.0") =>
        new(name, aliases, new PluginKey(name, version, "hash-" + name), support);

    /// <summary>A stored decision for <paramref name="plan"/> as the store would hand it back, with its verdicts.</summary>
    public static StoredDecision Stored(Plan plan, string? staleReason = null, string? invalidReason = null)
    {
        var device = new DeviceInfo { Kind = DeviceKind.Cuda, Name = "Test GPU", SmMajor = 9, MultiprocessorCount = 132, DriverVersion = "13.0" };
        var decision = new TuningDecision
        {
            Gpu = GpuClass.Of(device),
            Problem = new MoeShape(8, 2, 64, 32, Activation.SwiGlu, WeightFormat.Nvfp4),
            Objective = TuningObjective.Latency,
            Plan = plan,
            Cost = 10,
            Plugins = plan.Backends.Select(b => Candidates.First(c => c.Name == b).Identity).ToArray(),
            Provenance = Provenance.Capture(device, "test", DateTimeOffset.UnixEpoch),
        };
        return new StoredDecision(decision, staleReason, invalidReason);
    }

    public static StoredDecision StoredMarlin(string? staleReason = null, string? invalidReason = null) =>
        Stored(Plan.OneBackend("Marlin"), staleReason, invalidReason);

    public static SelectionInputs Inputs(
        string? cli = null,
        string? formatEnv = null,
        string? globalEnv = null,
        StoredDecision? stored = null,
        bool tuning = true,
        IReadOnlyList<SelectionCandidate>? candidates = null,
        WeightFormat format = WeightFormat.Nvfp4)
    {
        var environment = EnvironmentSnapshot.Empty
            .With(EnvironmentVariables.BackendFor(format), formatEnv)
            .With(EnvironmentVariables.Backend, globalEnv);
        return new SelectionInputs(cli, environment, format, stored, tuning, candidates ?? Candidates);
    }
}
