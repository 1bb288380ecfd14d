using MoeTune.Abstractions.Problems;
using MoeTune.Models;

namespace MoeTune.Host.Cli;

/// <summary>Resolves <c>--model</c> (and <c>--format</c>) for every command, so a model that cannot be read or cannot take the format is one kind of error: a usage error.</summary>
internal static class ModelArgument
{
    public static ModelSpec Resolve(string model, WeightFormat? format)
    {
        try
        {
            return ModelResolver.Resolve(model, format);
        }
        catch (ArgumentException ex)
        {
            // A preset whose sizes the format's blocks do not divide, for example.
            throw CliException.Usage($"{model}{(format is { } f ? " in " + f.ToName() : "")}: {ex.Message}");
        }
    }
}
