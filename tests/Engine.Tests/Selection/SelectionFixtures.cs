using MoeTune.Tuning;
using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Problems;
using MoeTune.Engine.Selection;

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
        new(name, aliases, new BackendIdentity(name, version, "hash-" + name), support);

    public static StoredChoice StoredMarlin(string? staleness = null) =>
        new(Plan.OneBackend("Marlin"), [Marlin.Identity], staleness);

    public static SelectionInputs Inputs(
        string? cli = null,
        string? formatEnv = null,
        string? globalEnv = null,
        StoredChoice? stored = null,
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
