using MoeTune.Abstractions.Problems;
using MoeTune.Models.Checkpoints;
using MoeTune.Models.Tests.Support;
using static MoeTune.Models.Tests.Support.TinyConfigs;

namespace MoeTune.Models.Tests.Checkpoints;

public sealed class LayerErrorTests
{
    /// <summary>A complete BF16 Mixtral layer 0 except for what <paramref name="skip"/> leaves out or <paramref name="shapeOf"/> changes.</summary>
    private static ModelFolder MixtralLayer(Func<string, bool>? skip = null, Func<string, long[], long[]>? shapeOf = null, int experts = 4)
    {
        var model = new ModelFolder(Mixtral());
        for (var e = 0; e < experts; e++)
        {
            foreach (var (projection, rows, cols) in new[] { ("w1", Intermediate, Hidden), ("w3", Intermediate, Hidden), ("w2", Hidden, Intermediate) })
            {
                var name = $"model.layers.0.block_sparse_moe.experts.{e}.{projection}.weight";
                if (skip?.Invoke(name) == true) continue;
                long[] shape = [rows, cols];
                model.Bf16(name, shapeOf?.Invoke(name, shape) ?? shape);
            }
        }

        return model;
    }

    [Fact]
    public void Missing_tensor_names_itself_and_the_config_fields()
    {
        const string missing = "model.layers.0.block_sparse_moe.experts.3.w2.weight";
        using var model = MixtralLayer(skip: n => n == missing);
        using var checkpoint = model.Open();

        var error = Assert.Throws<CheckpointException>(() => CheckpointLayerReader.Read(checkpoint, model.Spec(), 0));

        Assert.Equal(missing, error.Tensor);
        Assert.Equal(checkpoint.Folder, error.Location);
        Assert.Contains("is missing", error.Message, StringComparison.Ordinal);
        Assert.Contains("64 (hidden_size), 32 (intermediate_size)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Shape_contradicting_the_config_names_the_tensor_and_the_field()
    {
        const string wrong = "model.layers.0.block_sparse_moe.experts.1.w1.weight";
        using var model = MixtralLayer(shapeOf: (n, s) => n == wrong ? [Intermediate + 1, Hidden] : s);
        using var checkpoint = model.Open();

        var error = Assert.Throws<CheckpointException>(() => CheckpointLayerReader.Read(checkpoint, model.Spec(), 0));

        Assert.Equal(wrong, error.Tensor);
        Assert.Contains("has shape [33, 64]", error.Message, StringComparison.Ordinal);
        Assert.Contains("32 (intermediate_size)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dtype_that_does_not_match_the_format_is_an_error()
    {
        using var model = MixtralLayer();
        using var checkpoint = model.Open();

        var error = Assert.Throws<CheckpointException>(() => CheckpointLayerReader.Read(checkpoint, model.Spec(WeightFormat.Nvfp4), 0));

        Assert.Contains("has dtype BF16; expected U8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void More_experts_than_the_config_says_is_an_error()
    {
        using var model = MixtralLayer(experts: 5);
        using var checkpoint = model.Open();

        var error = Assert.Throws<CheckpointException>(() => CheckpointLayerReader.Read(checkpoint, model.Spec(), 0));

        Assert.Equal("model.layers.0.block_sparse_moe.experts.4.w3.weight", error.Tensor);
        Assert.Contains("num_local_experts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Per_expert_mxfp4_is_not_a_layout_MoeTune_reads()
    {
        using var model = MixtralLayer();
        using var checkpoint = model.Open();

        var error = Assert.Throws<CheckpointException>(() => CheckpointLayerReader.Read(checkpoint, model.Spec(WeightFormat.Mxfp4), 0));

        Assert.Contains("not supported: MXFP4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dense_layer_is_refused_with_the_moe_layers_listed()
    {
        using var model = new ModelFolder(DeepSeek());
        using var checkpoint = model.Open();

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => CheckpointLayerReader.Read(checkpoint, model.Spec(WeightFormat.Bf16), 0));

        Assert.Contains("its MoE layers are 1 of 2", error.Message, StringComparison.Ordinal);
    }
}
