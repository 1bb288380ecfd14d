namespace MoeTune.Engine.Bench;

/// <summary>Where a bench run is, for a progress display: what it is doing and how many of its timings are done.</summary>
/// <param name="Activity">For example "qwen3-30b-a3b nvfp4 · Marlin · 64 tokens · zipf(0.5) · graph".</param>
/// <param name="Done">Timings taken (or given up) so far.</param>
/// <param name="Total">Timings the run plans, ceilings included.</param>
public sealed record BenchProgress(string Activity, int Done, int Total);
