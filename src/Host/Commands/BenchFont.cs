using ScottPlot;

namespace MoeTune.Host.Commands;

/// <summary>
/// The plots' typeface: DejaVu Sans, shipped beside the app in fonts/ (its licence beside it). The lent GPU machines
/// have no fonts installed, and there ScottPlot drew plots without a single letter or number: axes, ticks and legend
/// all blank. Registering the file makes every plot readable wherever it is drawn.
/// </summary>
internal static class BenchFont
{
    public const string Name = "DejaVu Sans";

    private static readonly Lazy<string?> Registered = new(Register);

    /// <summary>The shipped font's path.</summary>
    public static string FilePath => Path.Combine(AppContext.BaseDirectory, "fonts", "DejaVuSans.ttf");

    /// <summary>
    /// Makes <see cref="Name"/> every new plot's font (once per process). Null where it is in use; otherwise why not
    /// (the file is missing: plots then use whatever font the machine has, possibly none), for the caller to warn.
    /// </summary>
    public static string? Use() => Registered.Value;

    private static string? Register()
    {
        if (!File.Exists(FilePath))
        {
            return $"the plots' font {FilePath} is missing (a broken install?): the plots use the machine's fonts, and a machine without fonts draws them without text";
        }

        Fonts.AddFontFile(Name, FilePath);
        Fonts.Default = Name;
        return null;
    }
}
