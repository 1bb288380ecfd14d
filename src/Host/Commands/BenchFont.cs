using ScottPlot;

namespace MoeTune.Host.Commands;

/// <summary>
/// The plots' typeface: DejaVu Sans, regular and bold, shipped beside the app in fonts/ (its licence beside it). The lent
/// GPU machines have no fonts installed, and there ScottPlot drew plots without a single letter or number; with only the
/// regular face registered, the bold title and axis labels were still blank. Registering both files makes every plot
/// readable wherever it is drawn (checked here with /usr/share/fonts hidden by an empty mount).
/// </summary>
internal static class BenchFont
{
    public const string Name = "DejaVu Sans";

    private static readonly Lazy<string?> Registered = new(Register);

    /// <summary>The shipped regular face's path.</summary>
    public static string FilePath => Path.Combine(AppContext.BaseDirectory, "fonts", "DejaVuSans.ttf");

    /// <summary>The shipped bold face's path (titles and axis labels).</summary>
    public static string BoldFilePath => Path.Combine(AppContext.BaseDirectory, "fonts", "DejaVuSans-Bold.ttf");

    /// <summary>
    /// Makes <see cref="Name"/> every new plot's font (once per process). Null where it is in use; otherwise why not
    /// (the file is missing: plots then use whatever font the machine has, possibly none), for the caller to warn.
    /// </summary>
    public static string? Use() => Registered.Value;

    private static string? Register()
    {
        if (new[] { FilePath, BoldFilePath }.FirstOrDefault(path => !File.Exists(path)) is { } missing)
        {
            return $"the plots' font {missing} is missing (a broken install?): the plots use the machine's fonts, and a machine without fonts draws them without text";
        }

        Fonts.AddFontFile(Name, FilePath, bold: false, italic: false);
        Fonts.AddFontFile(Name, BoldFilePath, bold: true, italic: false);
        Fonts.Default = Name;
        return null;
    }
}
