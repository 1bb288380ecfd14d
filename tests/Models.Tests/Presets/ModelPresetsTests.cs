using MoeTune.Abstractions.Problems;
using MoeTune.Models.Config;
using MoeTune.Models.Families;
using MoeTune.Models.Presets;
using MoeTune.Models.Tests.Support;

namespace MoeTune.Models.Tests.Presets;

public sealed class ModelPresetsTests
{
    /// <summary>
    /// The store keys tuning decisions on these: a change to any preset's shape, or to MoeShape's canonical text or
    /// hash, must be deliberate (with a store migration), so each value is pinned here. The hashes were computed
    /// independently (Python's hashlib, first 16 hex digits of SHA-256 of the text).
    /// </summary>
    [Theory]
    [InlineData("mixtral-8x7b", "moe1;E=8;k=2;H=4096;I=14336;act=swiglu;fmt=nvfp4", "1ebc4fd135c387b5")]
    [InlineData("qwen3-30b-a3b", "moe1;E=128;k=8;H=2048;I=768;act=swiglu;fmt=nvfp4", "efb5fa7364fe1404")]
    [InlineData("qwen3-235b-a22b", "moe1;E=128;k=8;H=4096;I=1536;act=swiglu;fmt=nvfp4", "328ba43512cf154c")]
    [InlineData("deepseek-v3", "moe1;E=256;k=8;H=7168;I=2048;act=swiglu;fmt=nvfp4", "c754343e0e526cd7")]
    [InlineData("gpt-oss-120b", "moe1;E=128;k=4;H=2880;I=2880;act=swiglu-clamped;fmt=mxfp4", "e1edff0a077a4e66")]
    [InlineData("llama-4-scout", "moe1;E=16;k=1;H=5120;I=8192;act=swiglu;fmt=nvfp4", "db65339e0b27f1c4")]
    [InlineData("nemotron-3-super", "moe1;E=512;k=22;H=1024;I=2688;act=relu2;fmt=nvfp4", "2412bb3401a1d71b")]
    public void Preset_shape_signature_is_pinned(string preset, string canonicalText, string hash)
    {
        var spec = ModelPresets.Find(preset);

        Assert.Equal(canonicalText, spec.Shape.CanonicalText);
        Assert.Equal(hash, spec.Shape.Hash);
        Assert.Equal(spec.Shape, MoeShape.ParseCanonical(canonicalText));
    }

    [Fact]
    public void All_seven_presets_of_the_design_table_are_there_in_order()
    {
        Assert.Equal(
            ["mixtral-8x7b", "qwen3-30b-a3b", "qwen3-235b-a22b", "deepseek-v3", "gpt-oss-120b", "llama-4-scout", "nemotron-3-super"],
            ModelPresets.Names);
        Assert.Equal(7, ModelPresets.All.Select(p => p.Shape.Hash).Distinct().Count());
        Assert.All(ModelPresets.All, p => Assert.Equal($"preset:{p.Name}", p.Source));
    }

    /// <summary>Each preset says what the model's own released config.json says (shape, routing, shared experts, layers).</summary>
    [Theory]
    [InlineData("mixtral-8x7b")]
    [InlineData("qwen3-30b-a3b")]
    [InlineData("qwen3-235b-a22b")]
    [InlineData("deepseek-v3")]
    [InlineData("gpt-oss-120b")]
    [InlineData("llama-4-scout")]
    [InlineData("nemotron-3-super")]
    public void Preset_matches_the_models_released_config(string preset)
    {
        using var folder = new TempFolder();
        var spec = ModelPresets.Find(preset);
        var config = folder.WriteText("config.json", RealConfigs.ByPreset[preset]);

        var fromConfig = HuggingFaceConfig.Load(config, spec.Shape.Format);

        Assert.Equal(spec.Shape, fromConfig.Shape);
        Assert.Equal(spec.Routing, fromConfig.Routing);
        Assert.Equal(spec.SharedExperts, fromConfig.SharedExperts);
        Assert.Equal(spec.TotalLayers, fromConfig.TotalLayers);
        Assert.Equal(spec.MoeLayers, fromConfig.MoeLayers);
        Assert.Same(spec.Family, fromConfig.Family);
    }

    [Fact]
    public void Routing_of_each_preset_is_its_models_rule()
    {
        Assert.Equal(new RoutingSpec(RouterScoring.Softmax, true), ModelPresets.Find("mixtral-8x7b").Routing);
        Assert.Equal(new RoutingSpec(RouterScoring.Softmax, true), ModelPresets.Find("qwen3-30b-a3b").Routing);
        Assert.Equal(new RoutingSpec(RouterScoring.Sigmoid, true, 8, 4, true, 2.5), ModelPresets.Find("deepseek-v3").Routing);
        Assert.Equal(new RoutingSpec(RouterScoring.Softmax, true), ModelPresets.Find("gpt-oss-120b").Routing);
        Assert.Equal(new RoutingSpec(RouterScoring.Sigmoid, false), ModelPresets.Find("llama-4-scout").Routing);
        Assert.Equal(new RoutingSpec(RouterScoring.Sigmoid, true, 1, 1, true, 5.0), ModelPresets.Find("nemotron-3-super").Routing);
        Assert.Equal([0, 0, 0, 1, 0, 1, 1], ModelPresets.All.Select(p => p.SharedExperts));
    }

    [Fact]
    public void Default_format_is_nvfp4_except_gpt_oss_which_ships_mxfp4()
    {
        Assert.All(ModelPresets.All.Where(p => p.Name != "gpt-oss-120b"), p => Assert.Equal(WeightFormat.Nvfp4, p.Shape.Format));
        Assert.Equal(WeightFormat.Mxfp4, ModelPresets.Find("gpt-oss-120b").Shape.Format);
    }

    [Fact]
    public void Layer_layouts_follow_the_configs()
    {
        var deepseek = ModelPresets.Find("deepseek-v3");
        Assert.Equal(3, deepseek.FirstMoeLayer);
        Assert.Equal(58, deepseek.MoeLayers.Count);
        Assert.Equal("3-60", deepseek.DescribeMoeLayers());
        var nemotron = ModelPresets.Find("nemotron-3-super");
        Assert.Equal(88, nemotron.TotalLayers);
        Assert.Equal(40, nemotron.MoeLayers.Count);
        Assert.Equal([1, 3, 5, 8, 10], nemotron.MoeLayers.Take(5));
        Assert.Equal(87, nemotron.MoeLayers[^1]);
        Assert.Same(ModelFamilies.NemotronH, nemotron.Family);
    }

    [Theory]
    [InlineData("MIXTRAL-8X7B", "mixtral-8x7b")]
    [InlineData("  Qwen3-30B-A3B ", "qwen3-30b-a3b")]
    [InlineData("openai/gpt-oss-120b", "gpt-oss-120b")]
    [InlineData("meta-llama/llama-4-scout-17b-16e-instruct", "llama-4-scout")]
    public void Find_ignores_case_and_accepts_labels(string name, string expected)
    {
        Assert.True(ModelPresets.TryFind(name, out var spec));
        Assert.Equal(expected, spec.Name);
        Assert.Equal(expected, ModelPresets.Find(name).Name);
    }

    [Fact]
    public void Unknown_name_is_an_error_listing_the_valid_names()
    {
        Assert.False(ModelPresets.TryFind("mixtral-8x22b", out _));
        Assert.False(ModelPresets.TryFind(null, out _));

        var error = Assert.Throws<UnknownModelException>(() => ModelPresets.Find("mixtral-8x22b"));

        Assert.Contains("mixtral-8x22b", error.Message, StringComparison.Ordinal);
        Assert.All(ModelPresets.Names, n => Assert.Contains(n, error.Message, StringComparison.Ordinal));
        Assert.Equal(ModelPresets.Names, error.ValidNames);
    }

    [Fact]
    public void WithFormat_changes_the_signature_and_nothing_else()
    {
        var nvfp4 = ModelPresets.Find("qwen3-30b-a3b");

        var bf16 = nvfp4.WithFormat(WeightFormat.Bf16);

        Assert.Equal("moe1;E=128;k=8;H=2048;I=768;act=swiglu;fmt=bf16", bf16.Shape.CanonicalText);
        Assert.NotEqual(nvfp4.Shape.Hash, bf16.Shape.Hash);
        Assert.Equal(nvfp4.Routing, bf16.Routing);
        Assert.Equal(nvfp4.MoeLayers, bf16.MoeLayers);
        Assert.Same(nvfp4, nvfp4.WithFormat(WeightFormat.Nvfp4));
        Assert.Equal(nvfp4, bf16.WithFormat(WeightFormat.Nvfp4));
    }
}
