using MoeTune.Models.Safetensors;
using MoeTune.Reference.Synthetic;

namespace MoeTune.Engine.Tests.Support;

/// <summary>Writes a <c>moetune run --input</c> file for the tiny model: hidden states plus router logits or top-k ids and weights.</summary>
internal static class SafetensorsInputs
{
    public static string Write(string path, int tokens, bool routerLogits, int hidden = TinyModel.Hidden)
    {
        var writer = new SafetensorsWriter()
            .Add<ushort>(MoeIoTensorNames.HiddenStates, SafetensorsDType.BF16, [tokens, hidden], SyntheticInputs.HiddenStates(tokens, hidden, seed: 3));
        if (routerLogits)
        {
            writer.Add<float>(MoeIoTensorNames.RouterLogits, SafetensorsDType.F32, [tokens, TinyModel.Experts], SyntheticInputs.RouterLogits(tokens, TinyModel.Experts, seed: 4));
        }
        else
        {
            var routing = SyntheticInputs.DrawRouting(RoutingDistribution.Uniform, tokens, TinyModel.Experts, TinyModel.TopK, seed: 5);
            writer.Add<int>(MoeIoTensorNames.TopKIds, SafetensorsDType.I32, [tokens, TinyModel.TopK], routing.Ids);
            writer.Add<float>(MoeIoTensorNames.TopKWeights, SafetensorsDType.F32, [tokens, TinyModel.TopK], routing.Weights);
        }

        writer.WriteTo(path);
        return path;
    }
}
