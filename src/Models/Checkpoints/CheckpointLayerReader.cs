using MoeTune.Abstractions.Weights;
using MoeTune.Models.Safetensors;

namespace MoeTune.Models.Checkpoints;

/// <summary>
/// Reads one MoE layer's routed experts from a checkpoint into MoeTune's canonical layout (W13 [2I, H] gate rows then
/// up rows, or [I, H] when not gated; W2 [H, I]) in the spec's weight format. The tensor names follow the spec's
/// family; only the tensors of that layer's experts are read.
/// </summary>
public static class CheckpointLayerReader
{
    /// <summary>
    /// The routed experts of decoder layer <paramref name="layer"/>. A missing tensor, or one whose dtype or shape
    /// contradicts the spec, is a <see cref="CheckpointException"/> naming the tensor and the config field.
    /// </summary>
    public static MoeWeights Read(SafetensorsCheckpoint checkpoint, ModelSpec spec, int layer)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(spec);
        if (!spec.IsMoeLayer(layer))
        {
            throw new ArgumentOutOfRangeException(
                nameof(layer),
                layer,
                $"layer {layer} is not an MoE layer of {spec.Name}; its MoE layers are {spec.DescribeMoeLayers()} of {spec.TotalLayers}");
        }

        var layout = spec.Family.SelectLayout(checkpoint, spec, layer);
        var experts = new ExpertWeights[spec.Shape.Experts];
        for (var e = 0; e < experts.Length; e++) experts[e] = layout.ReadExpert(e);
        return new MoeWeights(spec.Shape, experts);
    }
}
