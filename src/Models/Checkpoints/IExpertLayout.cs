using MoeTune.Abstractions.Weights;

namespace MoeTune.Models.Checkpoints;

/// <summary>How one MoE layer's experts are stored in a checkpoint; reads one expert into MoeTune's canonical layout.</summary>
internal interface IExpertLayout
{
    ExpertWeights ReadExpert(int expert);
}
