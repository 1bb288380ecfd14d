namespace MoeTune.Gpu.Tests.Infrastructure;

/// <summary>
/// The traits that divide the suite into parts (tools/gpu-run: `-trait backend=Marlin`) and order its layer tests
/// (<see cref="PresetOrder"/>).
/// </summary>
public static class SuiteTraits
{
    /// <summary>The backend a test exercises, by its name ("Marlin", "FlashInferCutlass").</summary>
    public const string Backend = "backend";

    /// <summary>The model preset whose layer a test runs.</summary>
    public const string Preset = "preset";

    /// <summary>The weight format of that layer, by its name ("nvfp4", "bf16", ...).</summary>
    public const string Format = "format";

    /// <summary>A part of the suite that tools/gpu-run runs on its own (`-trait part=reliability`), outside the backend traits.</summary>
    public const string Part = "part";

    /// <summary>The <see cref="Part"/> of the reliability tests: a faulting candidate in a probe child, the soak.</summary>
    public const string Reliability = "reliability";
}
