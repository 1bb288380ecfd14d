namespace MoeTune.Models;

/// <summary>A model name that is neither a preset nor a path to a config.json or checkpoint folder.</summary>
public sealed class UnknownModelException : Exception
{
    public UnknownModelException(string requested, IReadOnlyList<string> validNames, string problem)
        : base($"{problem}; valid presets: {string.Join(", ", validNames)}")
    {
        Requested = requested;
        ValidNames = validNames;
    }

    public string Requested { get; }

    public IReadOnlyList<string> ValidNames { get; }
}
