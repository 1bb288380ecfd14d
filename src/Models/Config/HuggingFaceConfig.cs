using MoeTune.Abstractions.Problems;
using MoeTune.Models.Families;

namespace MoeTune.Models.Config;

/// <summary>
/// Reads a model's MoE layer from a Hugging Face config.json: the architecture from <c>architectures</c> (or
/// <c>model_type</c>), the shape and routing from the family's fields, and the weight format from its quantisation
/// config (see <see cref="QuantizationDetector"/>). Every missing, malformed or contradictory field, an unknown
/// architecture, and a quantisation MoeTune cannot represent is a <see cref="ModelConfigException"/> naming the field
/// and the file.
/// </summary>
public static class HuggingFaceConfig
{
    public const string FileName = "config.json";

    /// <summary>
    /// Loads <paramref name="path"/> (a config.json, or a folder holding one). With <paramref name="format"/> the experts
    /// are described in that format and the checkpoint's quantisation config is not consulted (so a shape can be taken
    /// from a checkpoint whose own format MoeTune cannot read).
    /// </summary>
    public static ModelSpec Load(string path, WeightFormat? format = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var file = Path.GetFullPath(Directory.Exists(path) ? Path.Combine(path, FileName) : path);
        if (!File.Exists(file)) throw new ModelConfigException(file, "(file)", "does not exist");
        var config = ConfigReader.Load(file);
        var family = Recognise(config);
        var parsed = family.Parse(config);
        var weightFormat = format ?? QuantizationDetector.Detect(config);
        MoeShape shape;
        try
        {
            shape = new MoeShape(parsed.Experts, parsed.TopK, parsed.Hidden, parsed.Intermediate, parsed.Activation, weightFormat);
        }
        catch (ArgumentException e)
        {
            throw new ModelConfigException(file, $"{parsed.Fields.Hidden}/{parsed.Fields.Intermediate}", e.Message, e);
        }

        var folderName = Path.GetFileName(Path.GetDirectoryName(file)) ?? family.Name;
        var name = string.IsNullOrEmpty(folderName) ? family.Name : folderName;
        var labels = new[] { name, config.OptionalString("_name_or_path") }
            .Where(l => !string.IsNullOrWhiteSpace(l))
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        return new ModelSpec(name, family, shape, parsed.Routing, parsed.SharedExperts, labels!, file, parsed.TotalLayers, parsed.MoeLayers, parsed.Fields);
    }

    private static ModelFamily Recognise(ConfigReader config)
    {
        var architectures = config.OptionalStrings("architectures");
        var modelType = config.OptionalString("model_type");
        var byArchitecture = ModelFamilies.FromArchitectures(architectures);
        var byModelType = ModelFamilies.FromModelType(modelType);
        if (byArchitecture is not null && byModelType is not null && !ReferenceEquals(byArchitecture, byModelType))
        {
            throw config.Error("model_type", $"is '{modelType}' ({byModelType.Name}) but architectures name {byArchitecture.Name}");
        }

        return byArchitecture ?? byModelType ?? throw config.Error(
            "architectures",
            $"[{string.Join(", ", architectures)}] with model_type '{modelType}' is not a supported architecture; supported: "
            + string.Join("; ", ModelFamilies.All.Select(f => $"{string.Join("/", f.Architectures)} ({string.Join("/", f.ModelTypes)})")));
    }
}
