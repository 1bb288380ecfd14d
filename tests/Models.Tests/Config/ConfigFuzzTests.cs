using System.Text.Json.Nodes;
using CsCheck;
using MoeTune.Fixtures.Fuzzing;
using MoeTune.Models.Config;
using MoeTune.Models.Tests.Support;

namespace MoeTune.Models.Tests.Config;

/// <summary>
/// Property: each preset's real config.json, spoiled anywhere (a field removed, a value of another type or out of
/// range, an unknown field, the text cut short), is read as a valid model or refused with a
/// <see cref="ModelConfigException"/> naming the file; never another exception.
/// </summary>
public sealed class ConfigFuzzTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    public static TheoryData<string> Presets => [.. RealConfigs.ByPreset.Keys];

    [Theory]
    [MemberData(nameof(Presets))]
    public void A_spoiled_config_is_read_as_a_valid_model_or_refused_naming_the_file(string preset)
    {
        var valid = JsonNode.Parse(RealConfigs.ByPreset[preset])!;
        var count = 0;

        JsonMutation.Spoiled(valid).Sample(text =>
        {
            var path = _folder.WriteText($"{preset}-{Interlocked.Increment(ref count)}.json", text);
            try
            {
                var model = HuggingFaceConfig.Load(path);
                Assert.True(model.Shape.Experts > 0 && model.Shape.TopK <= model.Shape.Experts, $"{model.Shape} is not a valid shape");
                Assert.All(model.MoeLayers, layer => Assert.InRange(layer, 0, model.TotalLayers - 1));
            }
            catch (ModelConfigException e)
            {
                Assert.Contains(path, e.Message, StringComparison.Ordinal);
            }
        }, iter: 150);
    }
}
