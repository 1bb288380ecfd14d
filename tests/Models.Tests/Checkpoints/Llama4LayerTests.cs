using MoeTune.Abstractions.Problems;
using MoeTune.Models.Checkpoints;
using MoeTune.Models.Tests.Support;
using static MoeTune.Models.Tests.Support.TinyConfigs;

namespace MoeTune.Models.Tests.Checkpoints;

public sealed class Llama4LayerTests
{
    private const int Experts = 2;

    [Theory]
    [InlineData(false, "language_model.model.layers.0.feed_forward.experts")]
    [InlineData(true, "model.layers.0.feed_forward.experts")]
    public void Fused_bf16_experts_are_transposed_with_gate_columns_first(bool textOnly, string prefix)
    {
        using var model = new ModelFolder(Llama4(textOnly));
        var gateUp = ModelFolder.Bf16BytesToFloats(model.Bf16($"{prefix}.gate_up_proj", Experts, Hidden, 2 * Intermediate));
        var down = ModelFolder.Bf16BytesToFloats(model.Bf16($"{prefix}.down_proj", Experts, Intermediate, Hidden));

        var weights = model.Read(layer: 0, WeightFormat.Bf16);

        for (var e = 0; e < Experts; e++)
        {
            var w13 = ModelFolder.Bf16BytesToFloats(weights.Experts[e].W13.Data);
            var w2 = ModelFolder.Bf16BytesToFloats(weights.Experts[e].W2.Data);
            for (var r = 0; r < 2 * Intermediate; r++)
            {
                for (var h = 0; h < Hidden; h++) Assert.Equal(gateUp[(((e * Hidden) + h) * 2 * Intermediate) + r], w13[(r * Hidden) + h]);
            }

            for (var h = 0; h < Hidden; h++)
            {
                for (var i = 0; i < Intermediate; i++) Assert.Equal(down[(((e * Intermediate) + i) * Hidden) + h], w2[(h * Intermediate) + i]);
            }

            Assert.Null(weights.Experts[e].Bias13);
        }
    }

    [Fact]
    public void Fused_bf16_experts_cannot_be_read_as_a_quantised_format()
    {
        using var model = new ModelFolder(Llama4());
        model.Bf16("language_model.model.layers.0.feed_forward.experts.gate_up_proj", Experts, Hidden, 2 * Intermediate);
        model.Bf16("language_model.model.layers.0.feed_forward.experts.down_proj", Experts, Intermediate, Hidden);

        using var checkpoint = model.Open();
        var error = Assert.Throws<CheckpointException>(() => CheckpointLayerReader.Read(checkpoint, model.Spec(WeightFormat.Nvfp4), 0));

        Assert.Contains("read it as bf16", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_checkpoint_with_neither_layout_lists_the_names_tried()
    {
        using var model = new ModelFolder(Llama4());
        model.U8("unrelated", 1);

        using var checkpoint = model.Open();
        var error = Assert.Throws<CheckpointException>(() => CheckpointLayerReader.Read(checkpoint, model.Spec(WeightFormat.Bf16), 0));

        Assert.Equal("language_model.model.layers.0.feed_forward.experts.gate_up_proj", error.Tensor);
        Assert.Contains("model.layers.0.feed_forward.experts.0.gate_proj.weight", error.Message, StringComparison.Ordinal);
    }
}
