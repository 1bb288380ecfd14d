using MoeTune.Abstractions.Problems;
using MoeTune.Models.Presets;
using MoeTune.Models.Tests.Support;

namespace MoeTune.Models.Tests;

public sealed class ModelResolverTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Preset_name_gives_the_preset_in_its_default_or_the_given_format()
    {
        Assert.Same(ModelPresets.Find("deepseek-v3"), ModelResolver.Resolve("deepseek-v3"));
        Assert.Equal(WeightFormat.Fp8, ModelResolver.Resolve("DeepSeek-V3", WeightFormat.Fp8).Shape.Format);
    }

    [Fact]
    public void Config_path_and_checkpoint_folder_read_the_config()
    {
        var config = _folder.WriteText("config.json", RealConfigs.GptOss120B);

        Assert.Equal(WeightFormat.Mxfp4, ModelResolver.Resolve(config).Shape.Format);
        Assert.Equal(WeightFormat.Bf16, ModelResolver.Resolve(_folder.Path, WeightFormat.Bf16).Shape.Format);
        Assert.Equal(config, ModelResolver.Resolve(_folder.Path).Source);
    }

    [Fact]
    public void Folder_without_config_is_an_error()
    {
        var error = Assert.Throws<UnknownModelException>(() => ModelResolver.Resolve(_folder.Path));
        Assert.Contains("holds no config.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Neither_preset_nor_path_is_an_error_listing_the_presets()
    {
        var error = Assert.Throws<UnknownModelException>(() => ModelResolver.Resolve("mixtral-8x22b"));

        Assert.Equal("mixtral-8x22b", error.Requested);
        Assert.All(ModelPresets.Names, n => Assert.Contains(n, error.Message, StringComparison.Ordinal));
    }
}
