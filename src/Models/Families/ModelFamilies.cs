namespace MoeTune.Models.Families;

/// <summary>Every architecture MoeTune can read, and recognition of one from config.json's <c>architectures</c> and <c>model_type</c>.</summary>
public static class ModelFamilies
{
    public static IReadOnlyList<ModelFamily> All { get; } =
    [
        MixtralFamily.Instance,
        Qwen3MoeFamily.Instance,
        DeepSeekV3Family.Instance,
        GptOssFamily.Instance,
        Llama4Family.Instance,
        NemotronHFamily.Instance,
    ];

    public static ModelFamily Mixtral => MixtralFamily.Instance;

    public static ModelFamily Qwen3Moe => Qwen3MoeFamily.Instance;

    public static ModelFamily DeepSeekV3 => DeepSeekV3Family.Instance;

    public static ModelFamily GptOss => GptOssFamily.Instance;

    public static ModelFamily Llama4 => Llama4Family.Instance;

    public static ModelFamily NemotronH => NemotronHFamily.Instance;

    /// <summary>The family the first recognised entry of config.json's <c>architectures</c> names, or null.</summary>
    public static ModelFamily? FromArchitectures(IEnumerable<string> architectures)
    {
        ArgumentNullException.ThrowIfNull(architectures);
        return architectures
            .Select(a => All.FirstOrDefault(f => f.Architectures.Contains(a, StringComparer.Ordinal)))
            .FirstOrDefault(f => f is not null);
    }

    /// <summary>The family config.json's <c>model_type</c> names, or null.</summary>
    public static ModelFamily? FromModelType(string? modelType) =>
        All.FirstOrDefault(f => f.ModelTypes.Contains(modelType ?? "", StringComparer.Ordinal));
}
