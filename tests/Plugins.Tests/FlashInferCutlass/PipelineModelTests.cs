using MoeTune.Abstractions.Problems;
using MoeTune.Plugins.FlashInferCutlass.Kernels;
using MoeTune.Plugins.Tests.FlashInferCutlass.Models;
using MoeTune.Reference.Formats;
using MoeTune.Reference.Layer;
using MoeTune.Reference.Synthetic;

namespace MoeTune.Plugins.Tests.FlashInferCutlass;

/// <summary>
/// The whole forward pass of every pipeline emulated on the device byte layouts (<see cref="PipelineModel"/>) against
/// the CPU reference: catches any disagreement between the host tilers, the addressing the kernels use and the epilogue
/// math, on small shapes with every kind of padding and m-tiles of one to four blocks.
/// </summary>
public sealed class PipelineModelTests
{
    private static readonly (int Experts, int TopK, int Hidden, int Intermediate, Activation Activation, WeightFormat Format, int Tokens)[] Shapes =
    [
        (4, 2, 128, 256, Activation.SwiGlu, WeightFormat.Bf16, 70),        // an expert with two blocks and one with one
        (4, 2, 200, 136, Activation.SwiGlu, WeightFormat.Bf16, 5),         // H and I padded, K tails
        (2, 2, 160, 208, Activation.SwiGlu, WeightFormat.Bf16, 230),       // fragments: three and four blocks of one expert, a K tail
        (6, 3, 128, 320, Activation.ReluSquared, WeightFormat.Bf16, 33),   // ReLU², I padded to 512
        (4, 2, 192, 256, Activation.SwiGlu, WeightFormat.Nvfp4, 70),
        (5, 2, 144, 176, Activation.ReluSquared, WeightFormat.Nvfp4, 9),
        (2, 2, 160, 208, Activation.SwiGlu, WeightFormat.Nvfp4, 230),      // three and four blocks of one expert, H a K tail
        (3, 1, 272, 144, Activation.ReluSquared, WeightFormat.Nvfp4, 250), // up to four blocks, H = 272 past two 128-row n-tiles
    ];

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        for (var i = 0; i < Shapes.Length; i++)
        {
            // bf16 has no NVFP4 path: the register-fp4 pipelines run its weights as fused-gather and separate-gather do.
            var pipelines = Shapes[i].Format == WeightFormat.Bf16
                ? [GemmPipeline.FusedGather, GemmPipeline.SeparateGather, GemmPipeline.Fragments]
                : GemmPipeline.All;
            foreach (var pipeline in pipelines) data.Add(pipeline.Name, i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_the_reference(string pipeline, int shapeIndex)
    {
        var (experts, topK, hidden, intermediate, activation, format, tokens) = Shapes[shapeIndex];
        var shape = new MoeShape(experts, topK, hidden, intermediate, activation, format);
        var weights = SyntheticWeights.Generate(shape, seed: 11);
        var hiddenStates = SyntheticInputs.HiddenStates(tokens, hidden, seed: 12);
        var routing = SyntheticInputs.DrawRouting(RoutingDistribution.Uniform, tokens, experts, topK, seed: 13);

        var output = new PipelineModel(weights, GemmPipeline.Parse(pipeline)).Forward(hiddenStates, routing.Ids, routing.Weights, tokens, out var partials);
        var expected = new ReferenceMoeLayer(weights).Forward(hiddenStates, routing.Ids, routing.Weights, tokens);

        Assert.DoesNotContain(partials, p => float.IsNaN(Bf16.ToFloat(p)));
        Assert.InRange(RelativeError(output, expected), 0, 1e-2);
    }

    [Theory]
    [InlineData(WeightFormat.Bf16)]
    [InlineData(WeightFormat.Nvfp4)]
    public void Every_token_on_one_expert_and_others_empty(WeightFormat format)
    {
        var shape = new MoeShape(8, 2, 128, 128, Activation.SwiGlu, format);
        var weights = SyntheticWeights.Generate(shape, seed: 21);
        const int tokens = 150;
        var routing = SyntheticInputs.DrawRouting(RoutingDistribution.SingleExpert, tokens, 8, 2, seed: 22);
        var hiddenStates = SyntheticInputs.HiddenStates(tokens, 128, seed: 23);

        var output = new PipelineModel(weights, GemmPipeline.DefaultFor(format)).Forward(hiddenStates, routing.Ids, routing.Weights, tokens, out _);
        var expected = new ReferenceMoeLayer(weights).Forward(hiddenStates, routing.Ids, routing.Weights, tokens);
        Assert.InRange(RelativeError(output, expected), 0, 1e-2);
    }

    private static double RelativeError(ushort[] actual, double[] expected)
    {
        double difference = 0, norm = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            var a = Bf16.ToFloat(actual[i]);
            Assert.True(float.IsFinite(a), $"output {i} is {a}");
            difference += (a - expected[i]) * (a - expected[i]);
            norm += expected[i] * expected[i];
        }

        return Math.Sqrt(difference / norm);
    }
}
