using System.Globalization;

namespace MoeTune.Tuning;

/// <summary>A plan with its cost under an objective (lower is better; the unit depends on the objective).</summary>
public sealed record ScoredPlan(Plan Plan, double Cost);

/// <summary>A candidate that could not win, and why.</summary>
public sealed record CandidateExclusion(string Backend, CandidateOutcome Outcome, string Reason)
{
    public override string ToString() => $"{Backend} {Outcome.ToString().ToLowerInvariant()} ({Reason})";
}

/// <summary>
/// The plan rules' answer: the chosen plan and its cost, the runner-up and the chosen plan's margin over it, whether
/// the incumbent was kept, the plan's device memory and what a hybrid costs on top of its main backend, and the
/// candidates that could not win.
/// </summary>
/// <param name="Chosen">The plan and its cost.</param>
/// <param name="Objective">The objective the cost is measured in.</param>
/// <param name="RunnerUp">The best other plan considered, or null where there was none.</param>
/// <param name="KeptIncumbent">True where the incumbent stays (still the best, or a challenger did not beat it by more than the margin).</param>
/// <param name="Reason">One sentence on why this plan.</param>
/// <param name="PlanBytes">Device bytes of every backend the plan keeps loaded (weights plus workspaces).</param>
/// <param name="ExtraBytes">For a hybrid, the bytes of its backends other than the one serving the most buckets; 0 for one backend.</param>
/// <param name="Excluded">Candidates that failed, were unsupported or failed the correctness gate.</param>
public sealed record PlanChoice(
    ScoredPlan Chosen,
    TuningObjective Objective,
    ScoredPlan? RunnerUp,
    bool KeptIncumbent,
    string Reason,
    long PlanBytes,
    long ExtraBytes,
    IReadOnlyList<CandidateExclusion> Excluded)
{
    public Plan Plan => Chosen.Plan;

    /// <summary>How much costlier the runner-up is (0.05: 5%); negative where a kept incumbent trails a challenger within the margin; null without a runner-up.</summary>
    public double? MarginOverRunnerUp => RunnerUp is null ? null : (RunnerUp.Cost / Chosen.Cost) - 1;

    /// <summary>What <see cref="ScoredPlan.Cost"/> means under <see cref="Objective"/>.</summary>
    public string CostUnit => Objective switch
    {
        TuningObjective.Latency => "µs (weighted geometric mean of medians)",
        TuningObjective.Throughput => "µs per token (geometric mean over large buckets)",
        TuningObjective.Memory => "bytes (weights and workspaces)",
        _ => throw new InvalidOperationException($"unknown objective {Objective}"),
    };

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Plan} for {Objective.ToName()}: {Reason}{(MarginOverRunnerUp is { } m ? $"; {m:+0.0%;-0.0%} over {RunnerUp!.Plan}" : "")}");
}
