using System.Globalization;

namespace MoeTune.Tuning;

/// <summary>The winner rules: which plan the measurements support, and whether it is worth replacing the incumbent.</summary>
public static class PlanChooser
{
    /// <summary>
    /// Chooses a plan for <paramref name="objective"/>. Only <see cref="CandidateOutcome.Ok"/> candidates take part.
    /// A single-backend plan needs a candidate timed at every bucket any candidate was timed at; with
    /// <see cref="PlanOptions.AllowHybrid"/>, a per-bucket plan is chosen where it beats the best single backend by
    /// more than the tie margin (Memory never prefers a hybrid: it only adds weight copies). An incumbent that can still
    /// run stays unless the challenger beats it by more than <see cref="PlanOptions.TieMargin"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A candidate is malformed (named in the message).</exception>
    /// <exception cref="InvalidOperationException">No candidate can win, or none covers every bucket while hybrids are off; the message lists why.</exception>
    public static PlanChoice ChoosePlan(
        IReadOnlyList<CandidateResult> candidates,
        TuningObjective objective,
        Plan? incumbent = null,
        PlanOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        options ??= PlanOptions.Default;
        options.Validate();
        Validate(candidates);

        var excluded = candidates.Where(c => !c.CanWin)
            .Select(c => new CandidateExclusion(c.Backend, c.Outcome, c.Detail.Length > 0 ? c.Detail : "no detail given"))
            .ToArray();
        var eligible = candidates.Where(c => c.CanWin).ToArray();
        if (eligible.Length == 0)
        {
            throw new InvalidOperationException(
                $"no candidate can win: {(excluded.Length == 0 ? "none was given" : string.Join("; ", excluded))}");
        }

        var scorer = new PlanScorer(objective, options, eligible);
        var alternatives = Alternatives(scorer, objective, options);
        if (alternatives.Count == 0)
        {
            throw new InvalidOperationException(NoPlanMessage(scorer, objective, options));
        }

        var challenger = PickChallenger(alternatives, options);
        var (chosen, kept, reason) = WeighAgainstIncumbent(scorer, challenger, incumbent, options);
        var runnerUp = alternatives
            .Where(a => !a.Plan.Equals(chosen.Plan))
            .OrderBy(a => a.Cost)
            .FirstOrDefault();
        var planBytes = scorer.Bytes(chosen.Plan);
        var extraBytes = planBytes - scorer.Candidate(scorer.MainBackend(chosen.Plan)).TotalBytes;
        return new PlanChoice(chosen, objective, runnerUp, kept, reason, planBytes, extraBytes, excluded);
    }

    /// <summary>Every costable single-backend plan, cheapest first, and the per-bucket plan where it differs from them all.</summary>
    private static List<ScoredPlan> Alternatives(PlanScorer scorer, TuningObjective objective, PlanOptions options)
    {
        var singles = new List<ScoredPlan>();
        foreach (var candidate in scorer.Complete)
        {
            var plan = Plan.OneBackend(candidate.Backend);
            if (scorer.TryCost(plan, out var cost, out _))
            {
                singles.Add(new ScoredPlan(plan, cost));
            }
        }

        singles.Sort(CheapestFirst);
        if (!options.AllowHybrid || objective == TuningObjective.Memory)
        {
            return singles;
        }

        var hybrid = scorer.FastestPerBucket(singles.FirstOrDefault()?.Plan.Backends[0]);
        if (hybrid.IsHybrid && scorer.TryCost(hybrid, out var hybridCost, out _))
        {
            singles.Add(new ScoredPlan(hybrid, hybridCost));
        }

        return singles;
    }

    /// <summary>The cheapest single backend, unless a hybrid beats it by more than the margin (or no single backend can run alone).</summary>
    private static ScoredPlan PickChallenger(List<ScoredPlan> alternatives, PlanOptions options)
    {
        var bestSingle = alternatives.Where(a => !a.Plan.IsHybrid).FirstOrDefault();
        var hybrid = alternatives.FirstOrDefault(a => a.Plan.IsHybrid);
        return bestSingle is null ? hybrid!
            : hybrid is not null && hybrid.Cost < bestSingle.Cost * (1 - options.TieMargin) ? hybrid
            : bestSingle;
    }

    private static (ScoredPlan Chosen, bool Kept, string Reason) WeighAgainstIncumbent(
        PlanScorer scorer, ScoredPlan challenger, Plan? incumbent, PlanOptions options)
    {
        var c = CultureInfo.InvariantCulture;
        if (incumbent is null)
        {
            return (challenger, false, "best measured plan; no incumbent");
        }

        if (!scorer.TryCost(incumbent, out var incumbentCost, out var whyNot))
        {
            return (challenger, false, $"replaces incumbent {incumbent}, which can no longer be chosen: {whyNot}");
        }

        var kept = new ScoredPlan(incumbent, incumbentCost);
        if (challenger.Plan.Equals(incumbent))
        {
            return (kept, true, "incumbent is still the best");
        }

        var gain = 1 - (challenger.Cost / incumbentCost);
        return gain > options.TieMargin
            ? (challenger, false, string.Create(c, $"beats incumbent {incumbent} by {Percent.Of(gain)}, more than the {Percent.Of(options.TieMargin)} margin"))
            : (kept, true, string.Create(c, $"incumbent kept: {challenger.Plan} is only {Percent.Of(gain)} better, within the {Percent.Of(options.TieMargin)} margin"));
    }

    private static int CheapestFirst(ScoredPlan a, ScoredPlan b)
    {
        var byCost = a.Cost.CompareTo(b.Cost);
        return byCost != 0 ? byCost : string.CompareOrdinal(a.Plan.ToString(), b.Plan.ToString());
    }

    private static string NoPlanMessage(PlanScorer scorer, TuningObjective objective, PlanOptions options)
    {
        var coverage = string.Join("; ", scorer.Complete.Length == 0
            ? ["no candidate was timed at every bucket (" + string.Join(", ", scorer.Buckets) + ")" + (options.AllowHybrid ? "" : " and hybrid plans are off")]
            : scorer.Complete.Select(cand => scorer.TryCost(Plan.OneBackend(cand.Backend), out _, out var why) ? cand.Backend : $"{cand.Backend}: {why}"));
        return $"no plan can be chosen for {objective.ToName()}: {coverage}";
    }

    private static void Validate(IReadOnlyList<CandidateResult> candidates)
    {
        var c = CultureInfo.InvariantCulture;
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var candidate in candidates)
        {
            ArgumentNullException.ThrowIfNull(candidate, nameof(candidates));
            if (string.IsNullOrWhiteSpace(candidate.Backend))
            {
                throw new ArgumentException("a candidate names no backend", nameof(candidates));
            }

            if (!seen.Add(candidate.Backend))
            {
                throw new ArgumentException($"candidate {candidate.Backend} is listed twice", nameof(candidates));
            }

            if (!candidate.CanWin)
            {
                continue;
            }

            if (candidate.MedianMicroseconds.Count == 0)
            {
                throw new ArgumentException($"candidate {candidate.Backend} is Ok but was timed at no bucket", nameof(candidates));
            }

            foreach (var (bucket, median) in candidate.MedianMicroseconds)
            {
                if (!TokenBuckets.IsBucket(bucket))
                {
                    throw new ArgumentException(string.Create(c, $"candidate {candidate.Backend}: {bucket} tokens is not a bucket (1, 2, 4, … {TokenBuckets.Largest})"), nameof(candidates));
                }

                if (!double.IsFinite(median) || median <= 0)
                {
                    throw new ArgumentException(string.Create(c, $"candidate {candidate.Backend}: median {median} µs at {bucket} tokens must be finite and positive"), nameof(candidates));
                }
            }

            if (candidate.WeightBytes < 0 || candidate.WorkspaceBytes < 0)
            {
                throw new ArgumentException($"candidate {candidate.Backend}: byte counts must not be negative", nameof(candidates));
            }
        }
    }
}
