using MoeTune.Abstractions.Problems;
using MoeTune.Models.Checkpoints;
using MoeTune.Models.Tests.Support;
using static MoeTune.Models.Tests.Support.TinyConfigs;

namespace MoeTune.Models.Tests.Checkpoints;

public sealed class GptOssLayerTests
{
    private const int Experts = 2;
    private const string Prefix = "model.layers.0.mlp.experts";

    [Fact]
    public void Mxfp4_rows_are_de_interleaved_gate_first_and_kept_otherwise()
    {
        using var model = new ModelFolder(GptOss());
        var gateUpBlocks = model.U8($"{Prefix}.gate_up_proj_blocks", Experts, 2 * Intermediate, Hidden / 32, 16);
        var gateUpScales = model.U8($"{Prefix}.gate_up_proj_scales", Experts, 2 * Intermediate, Hidden / 32);
        var gateUpBias = ModelFolder.Bf16BytesToFloats(model.Bf16($"{Prefix}.gate_up_proj_bias", Experts, 2 * Intermediate));
        var downBlocks = model.U8($"{Prefix}.down_proj_blocks", Experts, Hidden, Intermediate / 32, 16);
        var downScales = model.U8($"{Prefix}.down_proj_scales", Experts, Hidden, Intermediate / 32);
        var downBias = ModelFolder.Bf16BytesToFloats(model.Bf16($"{Prefix}.down_proj_bias", Experts, Hidden));

        var weights = model.Read(layer: 0);

        Assert.Equal("moe1;E=2;k=1;H=64;I=32;act=swiglu-clamped;fmt=mxfp4", weights.Shape.CanonicalText);
        const int rowBytes = Hidden / 2;
        const int rowScales = Hidden / 32;
        for (var e = 0; e < Experts; e++)
        {
            var expert = weights.Experts[e];
            for (var r = 0; r < 2 * Intermediate; r++)
            {
                // Canonical row r is the gate row r (checkpoint row 2r) or the up row r - I (checkpoint row 2(r - I) + 1).
                var source = (e * 2 * Intermediate) + (r < Intermediate ? 2 * r : (2 * (r - Intermediate)) + 1);
                Assert.Equal(gateUpBlocks.AsSpan(source * rowBytes, rowBytes).ToArray(), expert.W13.Data.AsSpan(r * rowBytes, rowBytes).ToArray());
                Assert.Equal(gateUpScales.AsSpan(source * rowScales, rowScales).ToArray(), expert.W13.Scales.AsSpan(r * rowScales, rowScales).ToArray());
                Assert.Equal(gateUpBias[source], expert.Bias13![r]);
            }

            var downBytes = Hidden * Intermediate / 2;
            Assert.Equal(downBlocks.AsSpan(e * downBytes, downBytes).ToArray(), expert.W2.Data);
            Assert.Equal(downScales.AsSpan(e * Hidden * Intermediate / 32, Hidden * Intermediate / 32).ToArray(), expert.W2.Scales);
            Assert.Equal(downBias.AsSpan(e * Hidden, Hidden).ToArray(), expert.Bias2);
            Assert.Equal(1f, expert.W13.GlobalScale);
        }
    }

    [Fact]
    public void Bf16_checkpoint_is_transposed_and_de_interleaved()
    {
        using var model = new ModelFolder(GptOss(mxfp4: false));
        var gateUp = ModelFolder.Bf16BytesToFloats(model.Bf16($"{Prefix}.gate_up_proj", Experts, Hidden, 2 * Intermediate));
        var gateUpBias = ModelFolder.Bf16BytesToFloats(model.Bf16($"{Prefix}.gate_up_proj_bias", Experts, 2 * Intermediate));
        var down = ModelFolder.Bf16BytesToFloats(model.Bf16($"{Prefix}.down_proj", Experts, Intermediate, Hidden));
        model.Bf16($"{Prefix}.down_proj_bias", Experts, Hidden);

        var weights = model.Read(layer: 0);

        var expert = weights.Experts[1];
        var w13 = ModelFolder.Bf16BytesToFloats(expert.W13.Data);
        var w2 = ModelFolder.Bf16BytesToFloats(expert.W2.Data);
        for (var r = 0; r < 2 * Intermediate; r++)
        {
            var column = r < Intermediate ? 2 * r : (2 * (r - Intermediate)) + 1;
            for (var h = 0; h < Hidden; h++) Assert.Equal(gateUp[(((1 * Hidden) + h) * 2 * Intermediate) + column], w13[(r * Hidden) + h]);
            Assert.Equal(gateUpBias[(2 * Intermediate) + column], expert.Bias13![r]);
        }

        for (var h = 0; h < Hidden; h++)
        {
            for (var i = 0; i < Intermediate; i++) Assert.Equal(down[(((1 * Intermediate) + i) * Hidden) + h], w2[(h * Intermediate) + i]);
        }
    }

    [Fact]
    public void Missing_blocks_name_the_tensor_and_the_config_fields()
    {
        using var model = new ModelFolder(GptOss());
        model.U8($"{Prefix}.gate_up_proj_scales", Experts, 2 * Intermediate, Hidden / 32);

        using var checkpoint = model.Open();
        var error = Assert.Throws<CheckpointException>(() => CheckpointLayerReader.Read(checkpoint, model.Spec(), 0));

        Assert.Equal($"{Prefix}.gate_up_proj_blocks", error.Tensor);
        Assert.Contains("2 (num_local_experts)", error.Message, StringComparison.Ordinal);
        Assert.Contains("64 (2 × intermediate_size)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mxfp4_checkpoint_read_as_another_format_is_an_error()
    {
        using var model = new ModelFolder(GptOss());
        model.U8($"{Prefix}.gate_up_proj_blocks", Experts, 2 * Intermediate, Hidden / 32, 16);

        using var checkpoint = model.Open();
        var error = Assert.Throws<CheckpointException>(() => CheckpointLayerReader.Read(checkpoint, model.Spec(WeightFormat.Bf16), 0));

        Assert.Equal($"{Prefix}.gate_up_proj", error.Tensor);
        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
    }
}
