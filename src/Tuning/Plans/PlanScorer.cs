using System.Globalization;

namespace MoeTune.Tuning;

/// <summary>
/// Costs plans over one set of candidates: the weighted geometric mean of the time each plan's backends take at the
/// measured buckets (<see cref="TuningObjectives.BucketWeight"/>), or for <see cref="TuningObjective.Memory"/> the
/// plan's bytes where its latency cost is within the slowdown bound of the fastest single backend.
/// </summary>
internal sealed class PlanScorer
{
    private readonly TuningObjective _objective;
    private readonly PlanOptions _options;
    private readonly Dictionary<string, CandidateResult> _eligible;
    private readonly double? _fastestSingleLatency;

    public PlanScorer(TuningObjective objective, PlanOptions options, IReadOnlyList<CandidateResult> eligible)
    {
        _objective = objective;
        _options = options;
        _eligible = eligible.ToDictionary(c => c.Backend, StringComparer.Ordinal);
        Buckets = eligible.SelectMany(c => c.MedianMicroseconds.Keys).Distinct().Order().ToArray();
        Complete = eligible.Where(c => Buckets.All(c.MedianMicroseconds.ContainsKey)).ToArray();
        _fastestSingleLatency = Complete.Length == 0
            ? null
            : Complete.Min(c => TimeCost(Plan.OneBackend(c.Backend), TuningObjective.Latency));
    }

    /// <summary>Every bucket some eligible candidate was timed at: a plan must cover all of them.</summary>
    public IReadOnlyList<int> Buckets { get; }

    /// <summary>The eligible candidates timed at every bucket: those that can run alone.</summary>
    public CandidateResult[] Complete { get; }

    public CandidateResult Candidate(string backend) => _eligible[backend];

    /// <summary>The plan's cost, or false with the reason it cannot be costed (a backend that cannot win, a bucket it was not timed at, too slow for Memory).</summary>
    public bool TryCost(Plan plan, out double cost, out string whyNot)
    {
        cost = double.NaN;
        if (plan.IsHybrid && !_options.AllowHybrid)
        {
            whyNot = "hybrid plans are off";
            return false;
        }

        foreach (var bucket in Buckets)
        {
            var backend = plan.BackendFor(bucket);
            if (!_eligible.TryGetValue(backend, out var candidate))
            {
                whyNot = $"{backend} cannot win this time (not an eligible candidate)";
                return false;
            }

            if (!candidate.MedianMicroseconds.ContainsKey(bucket))
            {
                whyNot = string.Create(CultureInfo.InvariantCulture, $"{backend} was not timed at {bucket} tokens");
                return false;
            }
        }

        if (_objective != TuningObjective.Memory)
        {
            cost = TimeCost(plan, _objective);
            whyNot = "";
            return true;
        }

        var latency = TimeCost(plan, TuningObjective.Latency);
        if (_fastestSingleLatency is { } fastest && latency > fastest * (1 + _options.MemorySlowdownBound))
        {
            whyNot = string.Create(CultureInfo.InvariantCulture, $"{Percent.Of((latency / fastest) - 1)} slower than the fastest, beyond the {Percent.Of(_options.MemorySlowdownBound, 0)} bound");
            return false;
        }

        cost = Bytes(plan);
        whyNot = "";
        return true;
    }

    /// <summary>Device bytes of every backend the plan keeps loaded.</summary>
    public long Bytes(Plan plan) => plan.Backends.Sum(b => _eligible[b].TotalBytes);

    /// <summary>The backend that serves the most measured buckets (the first in step order on a tie).</summary>
    public string MainBackend(Plan plan) => plan.Backends
        .Select((b, order) => (Backend: b, Order: order, Buckets: Buckets.Count(k => plan.BackendFor(k) == b)))
        .OrderByDescending(x => x.Buckets).ThenBy(x => x.Order).First().Backend;

    /// <summary>
    /// Each bucket's fastest candidate, except where <paramref name="preferred"/> is within the tie margin there: an
    /// extra backend must earn its weight copy.
    /// </summary>
    public Plan FastestPerBucket(string? preferred)
    {
        var byBucket = new Dictionary<int, string>();
        foreach (var bucket in Buckets)
        {
            var timed = _eligible.Values.Where(c => c.MedianMicroseconds.ContainsKey(bucket)).ToArray();
            var fastest = timed.OrderBy(c => c.MedianMicroseconds[bucket]).ThenBy(c => c.Backend, StringComparer.Ordinal).First();
            var keep = preferred is not null
                && _eligible[preferred].MedianMicroseconds.TryGetValue(bucket, out var preferredTime)
                && preferredTime <= fastest.MedianMicroseconds[bucket] * (1 + _options.TieMargin);
            byBucket[bucket] = keep ? preferred! : fastest.Backend;
        }

        return Plan.FromBuckets(byBucket);
    }

    /// <summary>exp(Σ w·ln t / Σ w) over the weighted buckets; for Throughput t is per token. The plan must cover every bucket.</summary>
    private double TimeCost(Plan plan, TuningObjective objective)
    {
        double weighted = 0, total = 0;
        foreach (var bucket in Buckets)
        {
            var weight = objective.BucketWeight(bucket, Buckets);
            if (weight == 0)
            {
                continue;
            }

            var time = _eligible[plan.BackendFor(bucket)].MedianMicroseconds[bucket];
            weighted += weight * Math.Log(objective == TuningObjective.Throughput ? time / bucket : time);
            total += weight;
        }

        return Math.Exp(weighted / total);
    }
}
