using MoeTune.Abstractions.Problems;
using MoeTune.Models.Config;
using MoeTune.Models.Presets;

namespace MoeTune.Models;

/// <summary>Turns what <c>--model</c> takes into a <see cref="ModelSpec"/>.</summary>
public static class ModelResolver
{
    /// <summary>
    /// A preset name (or label, ignoring case), else a path to a config.json or to a checkpoint folder holding one. A
    /// preset wins over a same-named folder; write <c>./name</c> for the folder. With <paramref name="format"/> the
    /// experts are described in that weight format instead of the preset's default or the checkpoint's own.
    /// </summary>
    public static ModelSpec Resolve(string presetOrConfigPath, WeightFormat? format = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(presetOrConfigPath);
        if (ModelPresets.TryFind(presetOrConfigPath, out var preset))
        {
            return format is null ? preset : preset.WithFormat(format.Value);
        }

        if (File.Exists(presetOrConfigPath)) return HuggingFaceConfig.Load(presetOrConfigPath, format);
        if (Directory.Exists(presetOrConfigPath))
        {
            var config = Path.Combine(presetOrConfigPath, HuggingFaceConfig.FileName);
            return File.Exists(config)
                ? HuggingFaceConfig.Load(config, format)
                : throw new UnknownModelException(
                    presetOrConfigPath, ModelPresets.Names, $"folder '{Path.GetFullPath(presetOrConfigPath)}' holds no {HuggingFaceConfig.FileName}");
        }

        throw new UnknownModelException(
            presetOrConfigPath,
            ModelPresets.Names,
            $"'{presetOrConfigPath}' is neither a model preset nor an existing config.json or checkpoint folder");
    }
}
