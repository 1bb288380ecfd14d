namespace MoeTune.Engine.Bench.Report;

/// <summary>One backend in a regret row: its median and its regret (its time over the bucket's best; 1 is the best).</summary>
public sealed record RegretEntry(string Backend, double? Microseconds, double? Regret);

/// <summary>
/// One plan column of a regret row: the plan the tuner's plan rules choose from the run's timings (its text, or
/// "none: why"), the backend it runs at the row's token count, that backend's regret there, and the device bytes the
/// plan keeps beyond its main backend (the other backends' weight copies and workspaces, as <c>moetune tune</c>
/// reports them; 0 for a one-backend plan).
/// </summary>
public sealed record RegretPlan(string Plan, string? Backend, double? Regret, long ExtraBytes);

/// <summary>
/// How much slower than the best each backend, and each tuned plan, is at one (problem, routing, token count), in the
/// mode the tuner times that count in. <see cref="Tuned"/> is the plan <c>moetune tune</c> chooses by default (latency
/// objective, one backend); <see cref="Hybrid"/> the one <c>moetune tune --hybrid</c> chooses (latency objective,
/// per-bucket backends allowed where they beat the best single backend by more than the tie margin).
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
    RegretPlan Tuned,
    RegretPlan Hybrid);
