using MoeTune.Abstractions.Problems;
using MoeTune.Tuning;

namespace MoeTune.TuningDb;

/// <summary>
/// A stored decision: the plan chosen for one problem on one GPU class under one objective, its cost, the runner-up and
/// the margin over it, the identities of the plan's backends when it was made, and its provenance.
/// </summary>
public sealed record TuningDecision
{
    public required GpuClass Gpu { get; init; }

    public required MoeShape Problem { get; init; }

    public required TuningObjective Objective { get; init; }

    public required Plan Plan { get; init; }

    /// <summary>The plan's cost in the objective's unit (<see cref="PlanChoice.CostUnit"/>).</summary>
    public required double Cost { get; init; }

    public Plan? RunnerUp { get; init; }

    /// <summary>How much costlier the runner-up was (0.05: 5%); null without a runner-up.</summary>
    public double? MarginOverRunnerUp { get; init; }

    /// <summary>The identity of every backend in <see cref="Plan"/> when the decision was made.</summary>
    public required IReadOnlyList<PluginKey> Plugins { get; init; }

    public required Provenance Provenance { get; init; }

    /// <summary>The decision <paramref name="choice"/> stands for, with the identities of its backends taken from <paramref name="plugins"/>.</summary>
    public static TuningDecision From(PlanChoice choice, GpuClass gpu, MoeShape problem, IReadOnlyCollection<PluginKey> plugins, Provenance provenance)
    {
        ArgumentNullException.ThrowIfNull(choice);
        ArgumentNullException.ThrowIfNull(plugins);
        var used = choice.Plan.Backends.Select(b => plugins.FirstOrDefault(p => p.Backend == b)
            ?? throw new ArgumentException($"no plugin key given for {b}, a backend of the plan {choice.Plan}")).ToArray();
        return new TuningDecision
        {
            Gpu = gpu,
            Problem = problem,
            Objective = choice.Objective,
            Plan = choice.Plan,
            Cost = choice.Chosen.Cost,
            RunnerUp = choice.RunnerUp?.Plan,
            MarginOverRunnerUp = choice.MarginOverRunnerUp,
            Plugins = used,
            Provenance = provenance,
        };
    }

    /// <summary>Null where the decision is consistent, else the first problem found.</summary>
    public string? FirstError()
    {
        var names = Plan.Backends.Concat(RunnerUp?.Backends ?? []).Concat(Plugins.Select(p => p.Backend));
        if (names.Select(BackendNames.Check).FirstOrDefault(e => e is not null) is { } badName) return badName;
        if (!double.IsFinite(Cost) || Cost <= 0) return $"cost {Cost} must be finite and positive";
        if (MarginOverRunnerUp is { } m && !double.IsFinite(m)) return $"margin over the runner-up {m} must be finite";
        if ((RunnerUp is null) != (MarginOverRunnerUp is null)) return "a runner-up and its margin come together";
        if (Plan.Backends.FirstOrDefault(b => Plugins.All(p => p.Backend != b)) is { } unkeyed) return $"the plan's backend {unkeyed} has no plugin key";
        if (Plugins.Any(p => string.IsNullOrWhiteSpace(p.Version) || string.IsNullOrWhiteSpace(p.KernelSourceHash))) return "a plugin key lacks its version or kernel hash";
        if (string.IsNullOrWhiteSpace(Provenance.ToolVersion) || string.IsNullOrWhiteSpace(Provenance.GpuName)) return "the provenance lacks its tool version or GPU name";
        return null;
    }
}
