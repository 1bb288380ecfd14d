using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;
using MoeTune.Engine.Autotuning;
using MoeTune.Engine.Devices;

namespace MoeTune.Engine.Selection;

/// <summary>What to choose a backend for.</summary>
/// <param name="Device">The opened device the layer runs on.</param>
/// <param name="Problem">The problem (its shape signature).</param>
/// <param name="Weights">Supplies the weights when an autotune runs (called at most once; synthetic weights are costly to make).</param>
public sealed record SelectionRequest(IExecutionDevice Device, MoeShape Problem, Func<MoeWeights> Weights)
{
    /// <summary><c>--backend</c> or the library option; null or "auto" for none.</summary>
    public string? Backend { get; init; }

    /// <summary>Whether a missing decision may be tuned now (off: the built-in priority order decides).</summary>
    public bool TuningEnabled { get; init; } = true;

    public TuneSettings Settings { get; init; } = TuneSettings.Default;

    /// <summary>A model name to record as a label of the problem when tuning.</summary>
    public string? Label { get; init; }
}
