using MoeTune.Abstractions.Problems;
using MoeTune.Models.Checkpoints;
using MoeTune.Models.Safetensors;
using MoeTune.Models.Tests.Support;
using static MoeTune.Models.Tests.Support.TinyConfigs;

namespace MoeTune.Models.Tests.Checkpoints;

public sealed class Fp8LayerTests
{
    private const string PerTensorFp8 = """{ "quant_method": "fp8", "activation_scheme": "static" }""";

    [Fact]
    public void Per_tensor_fp8_stacks_elements_under_the_shared_scale()
    {
        using var model = new ModelFolder(Qwen3(PerTensorFp8));
        var written = new List<(byte[] Gate, byte[] Up, byte[] Down)>();
        for (var e = 0; e < 4; e++)
        {
            var prefix = $"model.layers.1.mlp.experts.{e}";
            written.Add((
                model.Fp8Linear($"{prefix}.gate_proj", Intermediate, Hidden, 0.01f),
                model.Fp8Linear($"{prefix}.up_proj", Intermediate, Hidden, 0.01f),
                model.Fp8Linear($"{prefix}.down_proj", Hidden, Intermediate, 0.02f)));
        }

        var weights = model.Read(layer: 1);

        Assert.Equal(WeightFormat.Fp8, weights.Shape.Format);
        Assert.Equal([.. written[0].Gate, .. written[0].Up], weights.Experts[0].W13.Data);
        Assert.Equal(0.01f, weights.Experts[0].W13.GlobalScale);
        Assert.Equal(written[3].Down, weights.Experts[3].W2.Data);
        Assert.Equal(0.02f, weights.Experts[3].W2.GlobalScale);
    }

    [Fact]
    public void DeepSeek_names_with_a_format_given_and_a_scale_ratio_of_two_folded_into_the_up_elements()
    {
        using var model = new ModelFolder(DeepSeek());
        var ups = new List<byte[]>();
        for (var e = 0; e < 4; e++)
        {
            var prefix = $"model.layers.1.mlp.experts.{e}";
            model.Fp8Linear($"{prefix}.gate_proj", Intermediate, Hidden, 0.5f);
            ups.Add(model.Fp8Linear($"{prefix}.up_proj", Intermediate, Hidden, 1f, () => (byte)((model.Random.Next(1, 14) << 3) | model.Random.Next(8) | (model.Random.Next(2) << 7))));
            model.Fp8Linear($"{prefix}.down_proj", Hidden, Intermediate, 0.5f);
        }

        var weights = model.Read(layer: 1, WeightFormat.Fp8);

        // x · 1 = x' · 0.5: each up element doubles (exponent field + 1), sign kept.
        var w13 = weights.Experts[2].W13;
        Assert.Equal(0.5f, w13.GlobalScale);
        Assert.Equal(ups[2].Select(c => (byte)(c + 0x08)), w13.Data.Skip(ups[2].Length));
    }

    [Fact]
    public void Block_scaled_fp8_is_not_supported()
    {
        using var model = new ModelFolder(DeepSeek());
        for (var e = 0; e < 4; e++)
        {
            var prefix = $"model.layers.1.mlp.experts.{e}";
            foreach (var (projection, rows, cols) in new[] { ("gate_proj", Intermediate, Hidden), ("up_proj", Intermediate, Hidden), ("down_proj", Hidden, Intermediate) })
            {
                model.E4M3($"{prefix}.{projection}.weight", rows, cols);
                model.Writer.Add($"{prefix}.{projection}.weight_scale_inv", SafetensorsDType.F32, [1, 1], new[] { 1f }.AsSpan());
            }
        }

        using var checkpoint = model.Open();
        var error = Assert.Throws<CheckpointException>(() => CheckpointLayerReader.Read(checkpoint, model.Spec(WeightFormat.Fp8), 1));

        Assert.Contains("not supported: block-scaled FP8", error.Message, StringComparison.Ordinal);
        Assert.Equal("model.layers.1.mlp.experts.0.up_proj.weight_scale_inv", error.Tensor);
    }

    [Fact]
    public void Per_channel_scales_are_not_one_scale_per_matrix()
    {
        using var model = new ModelFolder(Qwen3(PerTensorFp8));
        for (var e = 0; e < 4; e++)
        {
            var prefix = $"model.layers.0.mlp.experts.{e}";
            model.Fp8Linear($"{prefix}.gate_proj", Intermediate, Hidden, 1f);
            model.E4M3($"{prefix}.up_proj.weight", Intermediate, Hidden);
            model.Writer.Add($"{prefix}.up_proj.weight_scale", SafetensorsDType.F32, [Intermediate, 1], new float[Intermediate].AsSpan());
            model.Fp8Linear($"{prefix}.down_proj", Hidden, Intermediate, 1f);
        }

        using var checkpoint = model.Open();
        var error = Assert.Throws<CheckpointException>(() => CheckpointLayerReader.Read(checkpoint, model.Spec(), 0));

        Assert.Contains("expected a scalar", error.Message, StringComparison.Ordinal);
    }
}
