using MoeTune.Abstractions.Problems;
using MoeTune.Models.Checkpoints;
using MoeTune.Models.Presets;
using MoeTune.Models.Safetensors;
using MoeTune.Models.Tests.Support;
using static MoeTune.Models.Tests.Support.TinyConfigs;

namespace MoeTune.Models.Tests.Checkpoints;

public sealed class Bf16LayerTests
{
    [Fact]
    public void Mixtral_w1_is_gate_w3_is_up_w2_is_down()
    {
        using var model = new ModelFolder(Mixtral());
        var written = new List<(byte[] W1, byte[] W3, byte[] W2)>();
        for (var e = 0; e < 4; e++)
        {
            var prefix = $"model.layers.1.block_sparse_moe.experts.{e}";
            written.Add((model.Bf16($"{prefix}.w1.weight", Intermediate, Hidden), model.Bf16($"{prefix}.w3.weight", Intermediate, Hidden), model.Bf16($"{prefix}.w2.weight", Hidden, Intermediate)));
        }

        var weights = model.Read(layer: 1);

        Assert.Equal("moe1;E=4;k=2;H=64;I=32;act=swiglu;fmt=bf16", weights.Shape.CanonicalText);
        for (var e = 0; e < 4; e++)
        {
            var expert = weights.Experts[e];
            Assert.Equal([.. written[e].W1, .. written[e].W3], expert.W13.Data);
            Assert.Equal(written[e].W2, expert.W2.Data);
            Assert.Equal((2 * Intermediate, Hidden), (expert.W13.Rows, expert.W13.Cols));
            Assert.Equal(1f, expert.W13.GlobalScale);
            Assert.Empty(expert.W13.Scales);
            Assert.Null(expert.Bias13);
        }
    }

    [Fact]
    public void Only_the_asked_layer_is_read()
    {
        using var model = new ModelFolder(Mixtral());
        var layer0 = new List<byte[]>();
        for (var layer = 0; layer < 2; layer++)
        {
            for (var e = 0; e < 4; e++)
            {
                var prefix = $"model.layers.{layer}.block_sparse_moe.experts.{e}";
                var w1 = model.Bf16($"{prefix}.w1.weight", Intermediate, Hidden);
                model.Bf16($"{prefix}.w3.weight", Intermediate, Hidden);
                model.Bf16($"{prefix}.w2.weight", Hidden, Intermediate);
                if (layer == 0) layer0.Add(w1);
            }
        }

        var weights = model.Read(layer: 0);

        Assert.Equal(layer0[2], weights.Experts[2].W13.Data.Take(layer0[2].Length));
    }

    [Fact]
    public void Qwen3_f32_and_f16_checkpoints_become_bf16_sharded_with_an_index()
    {
        using var model = new ModelFolder(Qwen3());
        var expected = new List<(byte[] Gate, byte[] Up, byte[] Down)>();
        var shards = new[] { new SafetensorsWriter(), new SafetensorsWriter() };
        var weightMap = new List<string>();
        for (var e = 0; e < 4; e++)
        {
            // Write each expert with the model's helpers, then move its tensors into shard e % 2.
            var prefix = $"model.layers.0.mlp.experts.{e}";
            var gate = model.F32ExactInBf16($"{prefix}.gate_proj.weight", Intermediate, Hidden);
            var up = model.F32ExactInBf16($"{prefix}.up_proj.weight", Intermediate, Hidden);
            var down = model.Bf16($"{prefix}.down_proj.weight", Hidden, Intermediate);
            expected.Add((gate, up, down));
        }

        model.Writer.WriteTo(model.File("all.safetensors"));
        using (var all = SafetensorsFile.Open(model.File("all.safetensors")))
        {
            foreach (var (name, info) in all.Tensors)
            {
                var shard = name.Contains(".experts.1.", StringComparison.Ordinal) || name.Contains(".experts.3.", StringComparison.Ordinal) ? 1 : 0;
                shards[shard].Add(name, info.DType, info.Shape, all.GetSpan(name));
                weightMap.Add($"\"{name}\": \"model-0000{shard + 1}-of-00002.safetensors\"");
            }
        }

        File.Delete(model.File("all.safetensors"));
        shards[0].WriteTo(model.File("model-00001-of-00002.safetensors"));
        shards[1].WriteTo(model.File("model-00002-of-00002.safetensors"));
        model.WriteText(SafetensorsCheckpoint.IndexFileName, $"{{ \"weight_map\": {{ {string.Join(", ", weightMap)} }} }}");
        using var checkpoint = SafetensorsCheckpoint.Open(model.Path);

        var weights = CheckpointLayerReader.Read(checkpoint, model.Spec(), layer: 0);

        for (var e = 0; e < 4; e++)
        {
            Assert.Equal([.. expected[e].Gate, .. expected[e].Up], weights.Experts[e].W13.Data);
            Assert.Equal(expected[e].Down, weights.Experts[e].W2.Data);
        }
    }

    [Fact]
    public void F16_weights_are_rounded_to_bf16()
    {
        using var model = new ModelFolder(Qwen3());
        // BF16 steps by 8·2^-10 near 1: F16 1 + 4·2^-10 (0x3C04) is a tie → even 1.0 (0x3F80); 1 + 12·2^-10 (0x3C0C) is a tie → even 0x3F82.
        for (var e = 0; e < 4; e++)
        {
            var prefix = $"model.layers.1.mlp.experts.{e}";
            foreach (var (projection, rows, cols) in new[] { ("gate_proj", Intermediate, Hidden), ("up_proj", Intermediate, Hidden), ("down_proj", Hidden, Intermediate) })
            {
                var values = new Half[rows * cols];
                for (var i = 0; i < values.Length; i++) values[i] = BitConverter.UInt16BitsToHalf(i % 2 == 0 ? (ushort)0x3C04 : (ushort)0x3C0C);
                model.Writer.Add($"{prefix}.{projection}.weight", SafetensorsDType.F16, [rows, cols], values.AsSpan());
            }
        }

        var weights = model.Read(layer: 1);

        Assert.Equal(new byte[] { 0x80, 0x3F, 0x82, 0x3F }, weights.Experts[3].W2.Data.Take(4));
    }

    [Fact]
    public void Preset_spec_reads_a_checkpoint_of_its_family()
    {
        using var model = new ModelFolder(Mixtral());
        for (var e = 0; e < 4; e++)
        {
            var prefix = $"model.layers.0.block_sparse_moe.experts.{e}";
            model.Bf16($"{prefix}.w1.weight", Intermediate, Hidden);
            model.Bf16($"{prefix}.w3.weight", Intermediate, Hidden);
            model.Bf16($"{prefix}.w2.weight", Hidden, Intermediate);
        }

        using var checkpoint = model.Open();
        var preset = ModelPresets.Find("mixtral-8x7b").WithFormat(WeightFormat.Bf16);

        // The preset's shape (H = 4096) contradicts this tiny checkpoint: the error names tensor and field.
        var error = Assert.Throws<CheckpointException>(() => CheckpointLayerReader.Read(checkpoint, preset, 0));
        Assert.Contains("4096 (hidden_size)", error.Message, StringComparison.Ordinal);
    }
}
