using System.Text.Json.Nodes;
using MoeTune.Abstractions.Problems;
using MoeTune.Models.Config;
using MoeTune.Models.Tests.Support;

namespace MoeTune.Models.Tests.Config;

public sealed class QuantizationDetectionTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private WeightFormat FormatOf(string quantizationConfig) =>
        HuggingFaceConfig.Load(_folder.WriteText("config.json", WithQuantization(quantizationConfig))).Shape.Format;

    private ModelConfigException Fails(string quantizationConfig) =>
        Assert.Throws<ModelConfigException>(() => HuggingFaceConfig.Load(_folder.WriteText("config.json", WithQuantization(quantizationConfig))));

    private static string WithQuantization(string quantizationConfig) =>
        RealConfigs.Edit(RealConfigs.Qwen3_30B_A3B, c => c["quantization_config"] = JsonNode.Parse(quantizationConfig));

    [Fact]
    public void ModelOpt_nvfp4_in_config_json()
    {
        Assert.Equal(WeightFormat.Nvfp4, FormatOf("""{ "quant_method": "modelopt", "quant_algo": "NVFP4", "group_size": 16, "exclude_modules": ["lm_head"] }"""));
        Assert.Equal(WeightFormat.Nvfp4, FormatOf("""{ "quant_method": "modelopt", "quantization": { "quant_algo": "NVFP4" } }"""));
        Assert.Equal(WeightFormat.Fp8, FormatOf("""{ "quant_method": "modelopt", "quant_algo": "FP8" }"""));
    }

    [Fact]
    public void ModelOpt_hf_quant_config_json_beside_the_config()
    {
        _folder.WriteText("hf_quant_config.json", """
            { "producer": { "name": "modelopt", "version": "0.29.0" },
              "quantization": { "quant_algo": "NVFP4", "kv_cache_quant_algo": "FP8", "group_size": 16, "exclude_modules": ["lm_head"] } }
            """);

        var spec = HuggingFaceConfig.Load(_folder.WriteText("config.json", RealConfigs.Qwen3_30B_A3B));

        Assert.Equal(WeightFormat.Nvfp4, spec.Shape.Format);
    }

    [Fact]
    public void ModelOpt_hf_quant_config_json_without_quantization_is_an_error_naming_that_file()
    {
        _folder.WriteText("hf_quant_config.json", """{ "producer": { "name": "modelopt" } }""");

        var error = Assert.Throws<ModelConfigException>(() => HuggingFaceConfig.Load(_folder.WriteText("config.json", RealConfigs.Qwen3_30B_A3B)));

        Assert.Equal(_folder.File("hf_quant_config.json"), error.File);
        Assert.Equal("quantization", error.Field);
    }

    [Fact]
    public void Mixed_precision_takes_the_routed_experts_format()
    {
        Assert.Equal(WeightFormat.Nvfp4, FormatOf("""
            { "quant_method": "modelopt", "quant_algo": "MIXED_PRECISION", "quantized_layers": {
                "model.layers.0.mlp.shared_experts.up_proj": { "quant_algo": "FP8" },
                "model.layers.0.mlp.experts.0.up_proj": { "quant_algo": "W4A16_NVFP4", "group_size": 16 } } }
            """));
        Assert.Equal(WeightFormat.Bf16, FormatOf("""
            { "quant_method": "modelopt", "quant_algo": "MIXED_PRECISION", "quantized_layers": {
                "model.layers.0.self_attn.q_proj": { "quant_algo": "FP8" } } }
            """));
    }

    [Fact]
    public void Mixed_precision_with_experts_in_two_formats_is_an_error()
    {
        var error = Fails("""
            { "quant_method": "modelopt", "quant_algo": "MIXED_PRECISION", "quantized_layers": {
                "model.layers.0.mlp.experts.0.up_proj": { "quant_algo": "NVFP4" },
                "model.layers.0.mlp.experts.1.up_proj": { "quant_algo": "FP8" } } }
            """);
        Assert.Equal("quantization_config.quantized_layers", error.Field);
        Assert.Contains("fp8 at model.layers.0.mlp.experts.1.up_proj", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "quant_method": "modelopt", "quant_algo": "NVFP4", "group_size": 32 }""", "quantization_config.group_size")]
    [InlineData("""{ "quant_method": "modelopt", "quant_algo": "NVFP4_AWQ" }""", "quantization_config.quant_algo")]
    [InlineData("""{ "quant_method": "modelopt" }""", "quantization_config.quant_algo")]
    [InlineData("""{ "quant_method": "modelopt", "quant_algo": "MIXED_PRECISION" }""", "quantization_config.quantized_layers")]
    [InlineData("""{ "quant_method": "compressed-tensors", "format": "nvfp4-pack-quantized" }""", "quantization_config.quant_method")]
    [InlineData("""{ "bits": 4 }""", "quantization_config.quant_method")]
    [InlineData("""{ "quant_method": "fp8", "fmt": "e5m2" }""", "quantization_config.fmt")]
    [InlineData("""{ "quant_method": "fp8", "weight_block_size": [128, 128] }""", "quantization_config.weight_block_size")]
    public void Quantisations_MoeTune_cannot_represent_are_errors(string quantizationConfig, string field)
    {
        Assert.Equal(field, Fails(quantizationConfig).Field);
    }

    [Fact]
    public void Per_tensor_fp8_and_mxfp4()
    {
        Assert.Equal(WeightFormat.Fp8, FormatOf("""{ "quant_method": "fp8", "activation_scheme": "static" }"""));
        Assert.Equal(WeightFormat.Mxfp4, FormatOf("""{ "quant_method": "mxfp4" }"""));
    }

    [Fact]
    public void Block_scaled_fp8_is_rejected_unless_a_format_is_given()
    {
        var path = _folder.WriteText("config.json", RealConfigs.DeepSeekV3);

        var error = Assert.Throws<ModelConfigException>(() => HuggingFaceConfig.Load(path));
        Assert.Contains("block-scaled FP8", error.Message, StringComparison.Ordinal);

        Assert.Equal(WeightFormat.Nvfp4, HuggingFaceConfig.Load(path, WeightFormat.Nvfp4).Shape.Format);
    }
}
