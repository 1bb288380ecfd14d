using MoeTune.Abstractions.Weights;
using MoeTune.Engine.Devices;

namespace MoeTune.Engine.Autotuning;

/// <summary>What to tune: the weights (whose shape is the problem), on which device, how.</summary>
/// <param name="Device">The opened device.</param>
/// <param name="Weights">The layer's weights: the user's own, or synthetic ones of the problem's shape.</param>
/// <param name="Settings">Objective, buckets, budget.</param>
/// <param name="Label">A model name to record as a label of the problem, or null.</param>
public sealed record TuneRequest(IExecutionDevice Device, MoeWeights Weights, TuneSettings Settings, string? Label = null)
{
    public IReadOnlyList<int> Buckets => Settings.BucketsOn(Device.Info.Kind);
}
