namespace MoeTune.Models;

/// <summary>A model config (config.json, hf_quant_config.json) that is missing a field, contradicts itself or describes something MoeTune cannot represent.</summary>
public sealed class ModelConfigException : Exception
{
    public ModelConfigException(string file, string field, string problem)
        : base($"{file}: {field}: {problem}")
    {
        File = file;
        Field = field;
    }

    public ModelConfigException(string file, string field, string problem, Exception inner)
        : base($"{file}: {field}: {problem}", inner)
    {
        File = file;
        Field = field;
    }

    /// <summary>The file that holds the field.</summary>
    public string File { get; }

    /// <summary>The field's path, for example <c>text_config.num_local_experts</c>.</summary>
    public string Field { get; }
}
