using System.Text.Json.Nodes;
using MoeTune.Abstractions.Problems;
using MoeTune.Models.Config;
using MoeTune.Models.Families;
using MoeTune.Models.Tests.Support;

namespace MoeTune.Models.Tests.Config;

public sealed class HuggingFaceConfigTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Write(string json) => _folder.WriteText("config.json", json);

    private ModelConfigException LoadFails(string json, WeightFormat? format = null) =>
        Assert.Throws<ModelConfigException>(() => HuggingFaceConfig.Load(Write(json), format));

    [Fact]
    public void Mixtral_without_quantisation_is_bf16_and_named_after_its_folder()
    {
        var spec = HuggingFaceConfig.Load(Write(RealConfigs.Mixtral8x7B));

        Assert.Equal("moe1;E=8;k=2;H=4096;I=14336;act=swiglu;fmt=bf16", spec.Shape.CanonicalText);
        Assert.Same(ModelFamilies.Mixtral, spec.Family);
        Assert.Equal(Path.GetFileName(_folder.Path), spec.Name);
        Assert.Equal([spec.Name, "mistralai/Mixtral-8x7B-v0.1"], spec.Labels);
        Assert.Equal(_folder.File("config.json"), spec.Source);
        Assert.Equal(new ConfigFieldNames("num_local_experts", "num_experts_per_tok", "hidden_size", "intermediate_size"), spec.Fields);
    }

    [Fact]
    public void A_folder_path_loads_its_config_json()
    {
        Write(RealConfigs.Qwen3_30B_A3B);
        Assert.Equal(768, HuggingFaceConfig.Load(_folder.Path).Shape.Intermediate);
    }

    [Fact]
    public void Gpt_oss_is_mxfp4_clamped_swiglu()
    {
        var spec = HuggingFaceConfig.Load(Write(RealConfigs.GptOss120B));

        Assert.Equal("moe1;E=128;k=4;H=2880;I=2880;act=swiglu-clamped;fmt=mxfp4", spec.Shape.CanonicalText);
    }

    [Fact]
    public void Gpt_oss_takes_top_k_from_either_field_but_not_two_disagreeing_ones()
    {
        var onlyOld = RealConfigs.Edit(RealConfigs.GptOss120B, c => c.Remove("num_experts_per_tok"));
        Assert.Equal(4, HuggingFaceConfig.Load(Write(onlyOld)).Shape.TopK);

        var error = LoadFails(RealConfigs.Edit(RealConfigs.GptOss120B, c => c["experts_per_token"] = 8));
        Assert.Equal("num_experts_per_tok", error.Field);
        Assert.Contains("experts_per_token is 8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gpt_oss_with_another_swiglu_limit_cannot_be_represented()
    {
        var error = LoadFails(RealConfigs.Edit(RealConfigs.GptOss120B, c => c["swiglu_limit"] = 10.0));
        Assert.Equal("swiglu_limit", error.Field);
    }

    [Fact]
    public void Nemotron_super_experts_are_nvfp4_in_the_latent_space()
    {
        var spec = HuggingFaceConfig.Load(Write(RealConfigs.NemotronSuperNvfp4));

        Assert.Equal("moe1;E=512;k=22;H=1024;I=2688;act=relu2;fmt=nvfp4", spec.Shape.CanonicalText);
        Assert.Equal("moe_latent_size", spec.Fields.Hidden);
        Assert.Equal(new RoutingSpec(RouterScoring.Sigmoid, true, 1, 1, true, 5.0), spec.Routing);
    }

    [Fact]
    public void Nemotron_without_a_latent_uses_the_hidden_size_and_reads_layers_block_type()
    {
        var json = RealConfigs.Edit(RealConfigs.NemotronSuperNvfp4, c =>
        {
            c.Remove("moe_latent_size");
            c.Remove("hybrid_override_pattern");
            c.Remove("quantization_config");
            c["num_hidden_layers"] = 4;
            c["layers_block_type"] = new JsonArray("mamba", "moe", "attention", "moe");
        });

        var spec = HuggingFaceConfig.Load(Write(json));

        Assert.Equal(4096, spec.Shape.Hidden);
        Assert.Equal("hidden_size", spec.Fields.Hidden);
        Assert.Equal([1, 3], spec.MoeLayers);
    }

    [Fact]
    public void Nemotron_layer_count_must_match_its_pattern()
    {
        var error = LoadFails(RealConfigs.Edit(RealConfigs.NemotronSuperNvfp4, c => c["num_hidden_layers"] = 52));
        Assert.Equal("num_hidden_layers", error.Field);
        Assert.Contains("hybrid_override_pattern describes 88 layers", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nemotron_pattern_with_an_unknown_layer_kind_is_an_error()
    {
        var error = LoadFails(RealConfigs.Edit(RealConfigs.NemotronSuperNvfp4, c =>
        {
            c["hybrid_override_pattern"] = "MEX";
            c["num_hidden_layers"] = 3;
        }));
        Assert.Equal("hybrid_override_pattern", error.Field);
    }

    [Fact]
    public void Llama4_reads_text_config_and_names_nested_fields()
    {
        var spec = HuggingFaceConfig.Load(Write(RealConfigs.Llama4Scout), WeightFormat.Bf16);

        Assert.Equal("moe1;E=16;k=1;H=5120;I=8192;act=swiglu;fmt=bf16", spec.Shape.CanonicalText);
        Assert.Equal("text_config.intermediate_size", spec.Fields.Intermediate);

        var error = LoadFails(RealConfigs.Edit(RealConfigs.Llama4Scout, c => c["text_config"]!.AsObject().Remove("num_local_experts")));
        Assert.Equal("text_config.num_local_experts", error.Field);
    }

    [Fact]
    public void Llama4_moe_layers_come_from_the_list_or_the_interleave_step()
    {
        var interleaved = RealConfigs.Edit(RealConfigs.Llama4Scout, c => c["text_config"]!["interleave_moe_layer_step"] = 2);
        Assert.Equal([1, 3, 5], HuggingFaceConfig.Load(Write(interleaved)).MoeLayers.Take(3));

        var listed = RealConfigs.Edit(RealConfigs.Llama4Scout, c => c["text_config"]!["moe_layers"] = new JsonArray(7, 3));
        Assert.Equal([3, 7], HuggingFaceConfig.Load(Write(listed)).MoeLayers);

        var outside = RealConfigs.Edit(RealConfigs.Llama4Scout, c => c["text_config"]!["moe_layers"] = new JsonArray(48));
        Assert.Equal("text_config.moe_layers", LoadFails(outside).Field);
    }

    [Fact]
    public void Llama4_text_only_config_has_its_fields_at_the_top()
    {
        var textOnly = JsonNode.Parse(RealConfigs.Llama4Scout)!["text_config"]!.AsObject();
        textOnly["architectures"] = new JsonArray("Llama4ForCausalLM");

        var spec = HuggingFaceConfig.Load(Write(textOnly.ToJsonString()));

        Assert.Same(ModelFamilies.Llama4, spec.Family);
        Assert.Equal("intermediate_size", spec.Fields.Intermediate);
    }

    [Fact]
    public void DeepSeek_layers_start_after_the_dense_ones()
    {
        var spec = HuggingFaceConfig.Load(Write(RealConfigs.DeepSeekV3), WeightFormat.Nvfp4);
        Assert.Equal(3, spec.FirstMoeLayer);
        Assert.Equal(60, spec.MoeLayers[^1]);

        var everyOther = RealConfigs.Edit(RealConfigs.DeepSeekV3, c => c["moe_layer_freq"] = 2);
        Assert.Equal([4, 6, 8], HuggingFaceConfig.Load(Write(everyOther), WeightFormat.Nvfp4).MoeLayers.Take(3));
    }

    [Fact]
    public void DeepSeek_routing_methods_map_to_routing_specs()
    {
        var greedy = RealConfigs.Edit(RealConfigs.DeepSeekV3, c => c["topk_method"] = "greedy");
        Assert.Equal(new RoutingSpec(RouterScoring.Sigmoid, true, 1, 1, false, 2.5), HuggingFaceConfig.Load(Write(greedy), WeightFormat.Bf16).Routing);

        var unknown = RealConfigs.Edit(RealConfigs.DeepSeekV3, c => c["topk_method"] = "random");
        Assert.Equal("topk_method", LoadFails(unknown, WeightFormat.Bf16).Field);
        var softmax = RealConfigs.Edit(RealConfigs.DeepSeekV3, c => c["scoring_func"] = "softmax");
        Assert.Equal(RouterScoring.Softmax, HuggingFaceConfig.Load(Write(softmax), WeightFormat.Bf16).Routing.Scoring);
    }

    [Fact]
    public void DeepSeek_groups_that_cannot_split_the_experts_are_an_error()
    {
        var error = LoadFails(RealConfigs.Edit(RealConfigs.DeepSeekV3, c => c["n_group"] = 7), WeightFormat.Bf16);
        Assert.Equal("n_group/topk_group", error.Field);
    }

    [Fact]
    public void Qwen3_mlp_only_layers_are_not_moe_and_leaving_none_is_an_error()
    {
        var dense = RealConfigs.Edit(RealConfigs.Qwen3_30B_A3B, c => c["mlp_only_layers"] = new JsonArray(0, 1));
        Assert.Equal(2, HuggingFaceConfig.Load(Write(dense)).FirstMoeLayer);

        var none = RealConfigs.Edit(RealConfigs.Qwen3_30B_A3B, c => c["decoder_sparse_step"] = 100);
        Assert.Equal("mlp_only_layers/decoder_sparse_step", LoadFails(none).Field);
    }

    [Fact]
    public void Qwen3_without_norm_topk_prob_does_not_renormalise_as_in_transformers()
    {
        var json = RealConfigs.Edit(RealConfigs.Qwen3_30B_A3B, c => c.Remove("norm_topk_prob"));
        Assert.False(HuggingFaceConfig.Load(Write(json)).Routing.Renormalize);
    }

    [Theory]
    [InlineData("moe_intermediate_size")]
    [InlineData("num_experts")]
    [InlineData("num_experts_per_tok")]
    [InlineData("hidden_size")]
    [InlineData("num_hidden_layers")]
    public void Missing_field_is_named_with_the_file(string field)
    {
        var error = LoadFails(RealConfigs.Edit(RealConfigs.Qwen3_30B_A3B, c => c.Remove(field)));

        Assert.Equal(field, error.Field);
        Assert.Equal(_folder.File("config.json"), error.File);
        Assert.Contains(_folder.File("config.json"), error.Message, StringComparison.Ordinal);
        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0", "must be positive")]
    [InlineData("-4", "must be positive")]
    [InlineData("\"2048\"", "must be an integer")]
    [InlineData("2048.5", "must be an integer")]
    public void Malformed_sizes_are_errors(string value, string problem)
    {
        var error = LoadFails(RealConfigs.Edit(RealConfigs.Qwen3_30B_A3B, c => c["hidden_size"] = JsonNode.Parse(value)));

        Assert.Equal("hidden_size", error.Field);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_field_counts_as_missing()
    {
        Assert.Equal("hidden_size", LoadFails(RealConfigs.Edit(RealConfigs.Qwen3_30B_A3B, c => c["hidden_size"] = null)).Field);
    }

    [Fact]
    public void Top_k_above_the_expert_count_is_an_error_naming_both_fields()
    {
        var error = LoadFails(RealConfigs.Edit(RealConfigs.Mixtral8x7B, c => c["num_experts_per_tok"] = 9));

        Assert.Equal("num_experts_per_tok", error.Field);
        Assert.Contains("num_local_experts = 8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsupported_activation_is_an_error()
    {
        Assert.Equal("hidden_act", LoadFails(RealConfigs.Edit(RealConfigs.Mixtral8x7B, c => c["hidden_act"] = "gelu")).Field);
        Assert.Equal("mlp_hidden_act", LoadFails(RealConfigs.Edit(RealConfigs.NemotronSuperNvfp4, c => c["mlp_hidden_act"] = "silu")).Field);
    }

    [Fact]
    public void Unknown_architecture_is_an_error_listing_the_supported_ones()
    {
        var error = LoadFails("""{ "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 4096 }""");

        Assert.Equal("architectures", error.Field);
        Assert.Contains("LlamaForCausalLM", error.Message, StringComparison.Ordinal);
        Assert.All(ModelFamilies.All, f => Assert.Contains(f.Architectures[0], error.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Model_type_alone_recognises_the_family()
    {
        var json = RealConfigs.Edit(RealConfigs.Mixtral8x7B, c => c.Remove("architectures"));
        Assert.Same(ModelFamilies.Mixtral, HuggingFaceConfig.Load(Write(json)).Family);
    }

    [Fact]
    public void Architectures_and_model_type_that_disagree_are_an_error()
    {
        var error = LoadFails(RealConfigs.Edit(RealConfigs.Mixtral8x7B, c => c["model_type"] = "qwen3_moe"));
        Assert.Equal("model_type", error.Field);
    }

    [Fact]
    public void Sizes_that_the_format_cannot_block_are_an_error_naming_the_size_fields()
    {
        var error = LoadFails(RealConfigs.Edit(RealConfigs.Qwen3_30B_A3B, c => c["moe_intermediate_size"] = 770), WeightFormat.Nvfp4);
        Assert.Equal("hidden_size/moe_intermediate_size", error.Field);
    }

    [Fact]
    public void Files_that_are_not_configs_are_errors()
    {
        Assert.Equal("(file)", LoadFails("{ not json").Field);
        Assert.Equal("(file)", LoadFails("[1, 2]").Field);
        Assert.Throws<ModelConfigException>(() => HuggingFaceConfig.Load(_folder.File("absent.json")));
    }
}
