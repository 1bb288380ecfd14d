using MoeTune.Abstractions.Problems;
using MoeTune.Models.Checkpoints;
using MoeTune.Models.Tests.Support;
using static MoeTune.Models.Tests.Support.TinyConfigs;

namespace MoeTune.Models.Tests.Checkpoints;

public sealed class Nvfp4LayerTests
{
    private const string ModelOptNvfp4 = """{ "quant_method": "modelopt", "quant_algo": "NVFP4", "group_size": 16 }""";

    /// <summary>Normal E4M3 codes whose exponent field is 2..13: halving or doubling them stays exact.</summary>
    private static Func<byte> MidRangeCodes(Random random) => () => (byte)((random.Next(2, 14) << 3) | random.Next(8));

    [Fact]
    public void Shared_global_scale_stacks_gate_then_up_data_and_block_scales()
    {
        using var model = new ModelFolder(Qwen3(ModelOptNvfp4));
        var written = new List<((byte[] Data, byte[] Scales) Gate, (byte[] Data, byte[] Scales) Up, (byte[] Data, byte[] Scales) Down)>();
        for (var e = 0; e < 4; e++)
        {
            var prefix = $"model.layers.0.mlp.experts.{e}";
            var global = 1f / (e + 3);
            written.Add((
                model.Nvfp4Linear($"{prefix}.gate_proj", Intermediate, Hidden, global),
                model.Nvfp4Linear($"{prefix}.up_proj", Intermediate, Hidden, global),
                model.Nvfp4Linear($"{prefix}.down_proj", Hidden, Intermediate, 0.5f)));
        }

        var weights = model.Read(layer: 0);

        Assert.Equal(WeightFormat.Nvfp4, weights.Shape.Format);
        for (var e = 0; e < 4; e++)
        {
            var (gate, up, down) = written[e];
            var w13 = weights.Experts[e].W13;
            Assert.Equal([.. gate.Data, .. up.Data], w13.Data);
            Assert.Equal([.. gate.Scales, .. up.Scales], w13.Scales);
            Assert.Equal(1f / (e + 3), w13.GlobalScale);
            Assert.Equal(down.Data, weights.Experts[e].W2.Data);
            Assert.Equal(down.Scales, weights.Experts[e].W2.Scales);
            Assert.Equal(0.5f, weights.Experts[e].W2.GlobalScale);
        }
    }

    [Fact]
    public void Up_scale_half_the_gate_scale_is_folded_into_the_up_block_scales()
    {
        using var model = new ModelFolder(Qwen3(ModelOptNvfp4));
        var codes = MidRangeCodes(model.Random);
        var ups = new List<byte[]>();
        for (var e = 0; e < 4; e++)
        {
            var prefix = $"model.layers.0.mlp.experts.{e}";
            model.Nvfp4Linear($"{prefix}.gate_proj", Intermediate, Hidden, 0.5f, codes);
            ups.Add(model.Nvfp4Linear($"{prefix}.up_proj", Intermediate, Hidden, 0.25f, codes).Scales);
            model.Nvfp4Linear($"{prefix}.down_proj", Hidden, Intermediate, 1f);
        }

        var weights = model.Read(layer: 0);

        var w13 = weights.Experts[1].W13;
        Assert.Equal(0.5f, w13.GlobalScale);
        // scale · 0.25 = scale' · 0.5: every up block scale moves one binade down (exponent field − 1).
        Assert.Equal(ups[1].Select(c => (byte)(c - 0x08)), w13.Scales.Skip(ups[1].Length));
    }

    [Fact]
    public void Where_only_the_gate_half_can_move_the_up_scale_becomes_the_global_one()
    {
        using var model = new ModelFolder(Qwen3(ModelOptNvfp4));
        var codes = MidRangeCodes(model.Random);
        var gates = new List<byte[]>();
        var ups = new List<byte[]>();
        for (var e = 0; e < 4; e++)
        {
            var prefix = $"model.layers.0.mlp.experts.{e}";
            gates.Add(model.Nvfp4Linear($"{prefix}.gate_proj", Intermediate, Hidden, 0.5f, codes).Scales);

            // The smallest subnormal cannot be halved, so the up half cannot move onto the gate's scale.
            var written = 0;
            ups.Add(model.Nvfp4Linear($"{prefix}.up_proj", Intermediate, Hidden, 0.25f, () => written++ == 0 ? (byte)0x01 : codes()).Scales);
            model.Nvfp4Linear($"{prefix}.down_proj", Hidden, Intermediate, 1f);
        }

        var weights = model.Read(layer: 0);

        var w13 = weights.Experts[2].W13;
        Assert.Equal(0.25f, w13.GlobalScale);
        Assert.Equal([.. gates[2].Select(c => (byte)(c + 0x08)), .. ups[2]], w13.Scales);
    }

    [Fact]
    public void Global_scales_that_cannot_be_folded_exactly_are_an_error()
    {
        using var model = new ModelFolder(Qwen3(ModelOptNvfp4));
        for (var e = 0; e < 4; e++)
        {
            var prefix = $"model.layers.0.mlp.experts.{e}";
            model.Nvfp4Linear($"{prefix}.gate_proj", Intermediate, Hidden, 1f, () => 0x38); // 1.0 / 3 is not E4M3
            model.Nvfp4Linear($"{prefix}.up_proj", Intermediate, Hidden, 3f, () => 0x39); // 1.125 · 3 is not E4M3
            model.Nvfp4Linear($"{prefix}.down_proj", Hidden, Intermediate, 1f);
        }

        using var checkpoint = model.Open();
        var error = Assert.Throws<CheckpointException>(() => CheckpointLayerReader.Read(checkpoint, model.Spec(), 0));

        Assert.Equal("model.layers.0.mlp.experts.0.up_proj.weight_scale_2", error.Tensor);
        Assert.Contains("never requantised", error.Message, StringComparison.Ordinal);
        Assert.Contains("model.layers.0.mlp.experts.0.gate_proj.weight_scale_2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nemotron_experts_are_not_gated_so_w13_is_the_up_projection()
    {
        using var model = new ModelFolder(Nemotron());
        var ups = new List<(byte[] Data, byte[] Scales)>();
        for (var e = 0; e < 4; e++)
        {
            var prefix = $"backbone.layers.1.mixer.experts.{e}";
            ups.Add(model.Nvfp4Linear($"{prefix}.up_proj", Intermediate, Hidden, 0.75f));
            model.Nvfp4Linear($"{prefix}.down_proj", Hidden, Intermediate, 0.75f);
        }

        var weights = model.Read(layer: 1);

        Assert.Equal("moe1;E=4;k=2;H=64;I=32;act=relu2;fmt=nvfp4", weights.Shape.CanonicalText);
        Assert.Equal((Intermediate, Hidden), (weights.Experts[3].W13.Rows, weights.Experts[3].W13.Cols));
        Assert.Equal(ups[3].Data, weights.Experts[3].W13.Data);
        Assert.Equal(ups[3].Scales, weights.Experts[3].W13.Scales);
    }

    [Fact]
    public void Llama4_quantised_exports_name_each_expert()
    {
        using var model = new ModelFolder(Llama4());
        var gates = new List<byte[]>();
        for (var e = 0; e < 2; e++)
        {
            var prefix = $"language_model.model.layers.0.feed_forward.experts.{e}";
            gates.Add(model.Nvfp4Linear($"{prefix}.gate_proj", Intermediate, Hidden, 2f).Data);
            model.Nvfp4Linear($"{prefix}.up_proj", Intermediate, Hidden, 2f);
            model.Nvfp4Linear($"{prefix}.down_proj", Hidden, Intermediate, 2f);
        }

        var weights = model.Read(layer: 0, WeightFormat.Nvfp4);

        Assert.Equal(gates[1], weights.Experts[1].W13.Data.Take(gates[1].Length));
    }

    [Fact]
    public void Missing_global_scale_is_an_error_naming_it()
    {
        using var model = new ModelFolder(Qwen3(ModelOptNvfp4));
        for (var e = 0; e < 4; e++)
        {
            var prefix = $"model.layers.0.mlp.experts.{e}";
            model.Nvfp4Linear($"{prefix}.gate_proj", Intermediate, Hidden, 1f);
            model.U8($"{prefix}.up_proj.weight", Intermediate, Hidden / 2);
            model.E4M3($"{prefix}.up_proj.weight_scale", Intermediate, Hidden / 16);
            model.Nvfp4Linear($"{prefix}.down_proj", Hidden, Intermediate, 1f);
        }

        using var checkpoint = model.Open();
        var error = Assert.Throws<CheckpointException>(() => CheckpointLayerReader.Read(checkpoint, model.Spec(), 0));

        Assert.Equal("model.layers.0.mlp.experts.0.up_proj.weight_scale_2", error.Tensor);
    }
}
