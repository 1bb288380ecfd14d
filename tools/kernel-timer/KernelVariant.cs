using System.Globalization;
using MoeTune.Plugins.Marlin.Planning;

namespace MoeTune.Tools.KernelTimer;

/// <summary>
/// A build of the decode kernels with extra macros and launch choices (<c>--variant name:MACRO=VALUE,@setting=VALUE,...</c>);
/// <see cref="Plain"/> has none. Macros are the kernels' compile-time switches; the <c>@</c> settings fix a launch choice
/// the layer otherwise makes itself (<see cref="DecodeOverrides"/>): <c>@column-tiles=1|2</c>, <c>@ctas-per-sm=N</c>,
/// <c>@splits2=N</c>.
/// </summary>
internal sealed record KernelVariant(string Name, IReadOnlyDictionary<string, string> Defines, DecodeOverrides Overrides)
{
    public const string Syntax = "name:MACRO=VALUE|@column-tiles=1|2|@ctas-per-sm=N|@splits2=N[,...]";

    public static KernelVariant Plain { get; } = new("plain", new Dictionary<string, string>(), DecodeOverrides.None);

    /// <summary>Reads <c>name:MACRO=VALUE,@setting=VALUE,...</c>; macro names are C identifiers, each given once.</summary>
    public static KernelVariant Parse(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == text.Length - 1)
        {
            throw new ArgumentException($"--variant '{text}' is not {Syntax}");
        }

        var defines = new Dictionary<string, string>(StringComparer.Ordinal);
        var overrides = DecodeOverrides.None;
        foreach (var pair in text[(colon + 1)..].Split(','))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? pair[..equals] : pair;
            var value = equals > 0 ? pair[(equals + 1)..] : "";
            if (name.StartsWith('@'))
            {
                overrides = WithSetting(overrides, text, name, value);
            }
            else if (equals <= 0 || !IsIdentifier(name) || !defines.TryAdd(name, value))
            {
                throw new ArgumentException($"--variant '{text}': '{pair}' is not MACRO=VALUE with a new macro name");
            }
        }

        return new KernelVariant(text[..colon], defines, overrides);
    }

    private static DecodeOverrides WithSetting(DecodeOverrides overrides, string text, string name, string value)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            throw new ArgumentException($"--variant '{text}': {name} needs a whole number, not '{value}'");
        }

        try
        {
            return name switch
            {
                "@column-tiles" when overrides.ColumnTiles is null => overrides with { ColumnTiles = number },
                "@ctas-per-sm" when overrides.CtasPerSm is null => overrides with { CtasPerSm = number },
                "@splits2" when overrides.Splits2 is null => overrides with { Splits2 = number },
                _ => throw new ArgumentException($"--variant '{text}': '{name}' is not a setting given once (@column-tiles, @ctas-per-sm, @splits2)"),
            };
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ArgumentException($"--variant '{text}': {name}={value}: {e.Message}", e);
        }
    }

    private static bool IsIdentifier(string name) =>
        (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
