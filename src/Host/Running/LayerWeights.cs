using MoeTune.Abstractions.Weights;
using MoeTune.Host.Cli;
using MoeTune.Models;
using MoeTune.Models.Checkpoints;
using MoeTune.Models.Safetensors;
using MoeTune.Reference.Synthetic;

namespace MoeTune.Host.Running;

/// <summary>Where a command's expert weights come from: a real checkpoint layer, or synthetic weights of the model's shape.</summary>
internal static class LayerWeights
{
    /// <summary>Seeds synthetic weights, so that runs of the same model compare.</summary>
    public const int SyntheticSeed = 7;

    public static (MoeWeights Weights, string Description) Load(ModelSpec model, string? checkpoint, int? layer)
    {
        if (checkpoint is null)
        {
            if (layer is not null)
            {
                throw CliException.Usage("--layer needs --weights <checkpoint folder>");
            }

            return (SyntheticWeights.Generate(model.Shape, SyntheticSeed), $"synthetic (seed {SyntheticSeed})");
        }

        var index = layer ?? model.FirstMoeLayer;
        if (!model.IsMoeLayer(index))
        {
            throw CliException.Usage($"layer {index} of {model.Name} is not a MoE layer; MoE layers: {model.DescribeMoeLayers()}");
        }

        using var opened = SafetensorsCheckpoint.Open(checkpoint);
        return (CheckpointLayerReader.Read(opened, model, index), $"{checkpoint}, layer {index}");
    }
}
