using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;
using MoeTune.Reference.Synthetic;

namespace MoeTune.Engine.Tests.Support;

/// <summary>Synthetic weights of the tiny shape, made once per format (cheap, but shared by many tests).</summary>
internal static class TinyWeights
{
    private static readonly Dictionary<WeightFormat, MoeWeights> Made = [];

    public static MoeWeights Of(WeightFormat format = WeightFormat.Bf16)
    {
        lock (Made)
        {
            if (!Made.TryGetValue(format, out var weights))
            {
                weights = SyntheticWeights.Generate(TinyModel.Shape(format), seed: 11);
                Made[format] = weights;
            }

            return weights;
        }
    }
}
