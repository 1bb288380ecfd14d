using MoeTune.Engine.Autotuning;
using MoeTune.Tuning;

namespace MoeTune.Engine.Hosting;

/// <summary>
/// Settings of <c>services.AddMoeTune(options => ...)</c>; validated when the container starts
/// (<see cref="MoeTuneOptionsValidator"/>). Environment variables still apply: MOETUNE_BACKEND_&lt;FORMAT&gt; and
/// MOETUNE_BACKEND rank below <see cref="Backend"/>, MOETUNE_DB is used where <see cref="DatabasePath"/> is null.
/// </summary>
public sealed class MoeTuneOptions
{
    /// <summary>A backend name or alias to force, as <c>--backend</c> (the highest precedence); "auto" for none.</summary>
    public string Backend { get; set; } = "auto";

    /// <summary>The device: "auto" (the first GPU, else the CPU), "cpu", or "cuda:N".</summary>
    public string Device { get; set; } = "auto";

    /// <summary>Tune on first use where no valid decision is stored; off, the built-in priority order decides.</summary>
    public bool Autotune { get; set; } = true;

    public TuningObjective Objective { get; set; } = TuningObjective.Latency;

    /// <summary>Time budget of each candidate in an autotune.</summary>
    public TimeSpan TuneBudgetPerCandidate { get; set; } = MeasurementPolicy.Default.CandidateBudget;

    /// <summary>Token buckets to tune; empty for the device's default (all on a GPU, up to 64 on the CPU).</summary>
    public IList<int> TuneBuckets { get; } = [];

    /// <summary>
    /// Which candidates an autotune measures in a child process (<c>moetune probe</c>, which the application must ship
    /// beside itself, or another <see cref="Autotuning.Probing.IProbeLauncher"/>): by default CUDA plugins, so that a
    /// crashing or hanging kernel fails its candidate instead of the engine. <see cref="CandidateIsolation.None"/> runs
    /// every candidate in-process.
    /// </summary>
    public CandidateIsolation IsolateCandidates { get; set; } = CandidateIsolation.CudaPlugins;

    /// <summary>Wall-clock limit of one probe child; null for the candidate budget plus <see cref="TuningDefaults.ProbeAllowance"/>.</summary>
    public TimeSpan? ProbeTimeout { get; set; }

    /// <summary>Allow per-bucket (hybrid) plans, which keep one weight copy per backend.</summary>
    public bool AllowHybrid { get; set; }

    /// <summary>The largest token count a layer's forward gets; workspaces are sized for it.</summary>
    public int MaxTokens { get; set; } = TokenBuckets.Largest;

    /// <summary>The tuning database file; null for MOETUNE_DB, else the user's cache folder.</summary>
    public string? DatabasePath { get; set; }

    /// <summary>The folder whose <c>plugins/</c> holds the shipped plugins (the application's own by default).</summary>
    public string ApplicationDirectory { get; set; } = AppContext.BaseDirectory;
}
