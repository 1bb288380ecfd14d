namespace MoeTune.Engine.Bench.Report;

/// <summary>One backend in a regret row: its median and its regret (its time over the bucket's best; 1 is the best).</summary>
public sealed record RegretEntry(string Backend, double? Microseconds, double? Regret);

/// <summary>
/// How much slower than the best each backend, and the tuned plan, is at one (problem, routing, token count), in the
/// mode the tuner times that count in. <see cref="Plan"/> is the plan the tuner's plan rules choose from this run's
/// timings (latency objective, no hybrids: <c>tune</c>'s defaults), or why none could be chosen.
/// </summary>
public sealed record RegretRow(
    string Problem,
    string Routing,
    int Tokens,
    TimingMode Mode,
    string? Best,
    double? BestMicroseconds,
    double? FloorMicroseconds,
    IReadOnlyList<RegretEntry> Backends,
    string Plan,
    string? PlanBackend,
    double? PlanRegret);
