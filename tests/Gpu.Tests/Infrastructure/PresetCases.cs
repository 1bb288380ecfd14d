using MoeTune.Models;
using MoeTune.Models.Presets;

namespace MoeTune.Gpu.Tests.Infrastructure;

/// <summary>The matrix: every preset at T = 1, 7, 64, 1000 and 4096.</summary>
public static class PresetCases
{
    public static IReadOnlyList<int> TokenCounts { get; } = [1, 7, 64, 1000, 4096];

    public static TheoryData<string, int> All()
    {
        var data = new TheoryData<string, int>();
        foreach (var preset in ModelPresets.All)
        {
            foreach (var tokens in TokenCounts)
            {
                data.Add(preset.Name, tokens);
            }
        }

        return data;
    }

    public static ModelSpec Find(string name) => ModelPresets.Find(name);
}
