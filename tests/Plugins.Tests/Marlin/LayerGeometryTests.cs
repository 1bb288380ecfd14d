using CsCheck;
using MoeTune.Abstractions.Problems;
using MoeTune.Models.Presets;
using MoeTune.Plugins.Marlin.Planning;

namespace MoeTune.Plugins.Tests.Marlin;

public sealed class LayerGeometryTests
{
    [Theory]
    [InlineData("mixtral-8x7b", 1792, 256, 64, 224, 7)]
    [InlineData("qwen3-30b-a3b", 96, 128, 32, 12, 1)]
    [InlineData("qwen3-235b-a22b", 192, 256, 64, 24, 1)]
    [InlineData("deepseek-v3", 256, 448, 112, 32, 1)]
    [InlineData("gpt-oss-120b", 360, 180, 45, 45, 1)]
    [InlineData("llama-4-scout", 1024, 320, 80, 128, 4)]
    [InlineData("nemotron-3-super", 168, 64, 16, 42, 1)]
    public void Presets_tile_as_expected(string preset, int w13Tiles, int w2Tiles, int chunks13, int chunks2, int splits)
    {
        var geometry = new LayerGeometry(Shape(preset));
        Assert.Equal(w13Tiles, geometry.W13Tiles);
        Assert.Equal(w2Tiles, geometry.W2Tiles);
        Assert.Equal(chunks13, geometry.Chunks13);
        Assert.Equal(chunks2, geometry.Chunks2);
        Assert.Equal(splits, geometry.DecodeSplits2);
        Assert.Equal(16, geometry.DecodeMaxTokens);
        Assert.True(geometry.UsesDecodePath(16));
        Assert.False(geometry.UsesDecodePath(17));
    }

    [Fact]
    public void One_token_of_a_preset_makes_at_least_one_item_per_sm_of_an_h100()
    {
        foreach (var preset in ModelPresets.All)
        {
            var geometry = new LayerGeometry(preset.Shape);
            var items = geometry.DecodeItems(preset.Shape.TopK, geometry.DecodeSplits2);
            Assert.True(items >= 2 * 132, $"{preset.Name}: {items} items");
        }
    }

    [Fact]
    public void Wide_top_k_shrinks_the_decode_path_to_512_pairs()
    {
        var geometry = new LayerGeometry(new MoeShape(1024, 100, 1024, 512, Activation.SwiGlu, WeightFormat.Nvfp4));
        Assert.Equal(5, geometry.DecodeMaxTokens);
    }

    [Fact]
    public void The_prefill_tile_bound_holds_for_any_routing()
    {
        Gen.Select(Gen.Int[1, 300], Gen.Int[1, 8], Gen.Int[17, 900], Gen.Int)
            .Sample((experts, topK, tokens, seed) =>
            {
                topK = Math.Min(topK, experts);
                var geometry = new LayerGeometry(new MoeShape(experts, topK, 128, 128, Activation.SwiGlu, WeightFormat.Nvfp4));
                var random = new Random(seed);
                var skew = random.Next(1, experts + 1);  // often few experts take everything
                var counts = new int[experts];
                for (var i = 0; i < tokens * topK; i++)
                {
                    counts[random.Next(skew)]++;
                }

                var tiles = counts.Sum(c => (c + 63) / 64);
                return tiles <= geometry.PrefillMaxTiles(tokens);
            });
    }

    [Fact]
    public void Workspaces_cover_the_paths_max_tokens_can_take()
    {
        var qwen = new LayerGeometry(Shape("qwen3-30b-a3b"));
        var decodeOnly = qwen.Workspaces(1);
        Assert.Equal(8L * 768 * 2, decodeOnly.IntermediateBytes);
        Assert.Equal(8L * 2048 * 4, decodeOnly.PartialBytes);
        Assert.Equal((2L + 128 + 128) * 4, decodeOnly.CounterBytes);
        Assert.Equal(0, decodeOnly.RoutingBytes);

        var deepseek = new LayerGeometry(Shape("deepseek-v3"));
        var prefill = deepseek.Workspaces(4096);
        var pairs = 4096L * 8;
        Assert.Equal(pairs * 2048 * 2, prefill.IntermediateBytes);
        Assert.Equal(pairs * 7168 * 4, prefill.PartialBytes);
        Assert.Equal((1 + (3 * ((pairs / 64) + 256)) + pairs) * 4, prefill.RoutingBytes);

        var mixtral = new LayerGeometry(Shape("mixtral-8x7b"));
        Assert.Equal(16L * 2 * 7 * 4096 * 4, mixtral.Workspaces(16).PartialBytes);  // seven K splits per pair
        Assert.Equal(16L * 2 * 14 * 4096 * 4, mixtral.Workspaces(16, splits2: 14).PartialBytes);  // a measurement's count
    }

    [Fact]
    public void Gemm1_items_pair_row_tiles()
    {
        Assert.Equal(8L * 48, new LayerGeometry(Shape("qwen3-30b-a3b")).DecodeGemm1Items(8));  // 96 W13 tiles per expert
        Assert.Equal(22L * 84, new LayerGeometry(Shape("nemotron-3-super")).DecodeGemm1Items(22));  // ReLU²: 2688 rows, 168 tiles
    }

    [Fact]
    public void Row_blocks_round_up() => Assert.Equal(23, LayerGeometry.PrefillRowBlocks(180));

    [Fact]
    public void Unsupported_shapes_have_no_geometry() =>
        Assert.Throws<ArgumentException>(() => new LayerGeometry(new MoeShape(8, 2, 4096, 14336, Activation.SwiGlu, WeightFormat.Bf16)));

    internal static MoeShape Shape(string preset) => ModelPresets.All.Single(p => p.Name == preset).Shape;
}
