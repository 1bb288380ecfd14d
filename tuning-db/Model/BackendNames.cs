using System.Text.RegularExpressions;

namespace MoeTune.TuningDb;

/// <summary>
/// The shape of a backend name in the store and in imported files: a plain identifier. An imported file may name
/// backends, never a path or anything else that could be loaded, so separators, "..", spaces and control characters
/// are refused.
/// </summary>
public static partial class BackendNames
{
    public const int MaxLength = 64;

    /// <summary>Null for a valid name, else why it is not one.</summary>
    public static string? Check(string? name) => name switch
    {
        null or "" => "a backend name must not be empty",
        { Length: > MaxLength } => $"a backend name has at most {MaxLength} characters",
        _ when !Identifier().IsMatch(name) => $"'{name}' is not a backend name (a letter, then letters, digits, '_', '-' or single '.'; no paths)",
        _ => null,
    };

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_\-]*(\.[A-Za-z0-9_\-]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();
}
