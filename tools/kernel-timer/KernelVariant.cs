namespace MoeTune.Tools.KernelTimer;

/// <summary>A build of the decode kernels with extra macros (<c>--variant name:MACRO=VALUE,...</c>); <see cref="Plain"/> has none.</summary>
internal sealed record KernelVariant(string Name, IReadOnlyDictionary<string, string> Defines)
{
    public static KernelVariant Plain { get; } = new("plain", new Dictionary<string, string>());

    /// <summary>Reads <c>name:MACRO=VALUE,MACRO=VALUE</c>; macro names are C identifiers.</summary>
    public static KernelVariant Parse(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == text.Length - 1)
        {
            throw new ArgumentException($"--variant '{text}' is not name:MACRO=VALUE[,MACRO=VALUE]");
        }

        var defines = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in text[(colon + 1)..].Split(','))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? pair[..equals] : pair;
            if (equals <= 0 || !IsIdentifier(name) || !defines.TryAdd(name, pair[(equals + 1)..]))
            {
                throw new ArgumentException($"--variant '{text}': '{pair}' is not MACRO=VALUE with a new macro name");
            }
        }

        return new KernelVariant(text[..colon], defines);
    }

    private static bool IsIdentifier(string name) =>
        (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
