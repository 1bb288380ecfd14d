using System.Globalization;

namespace MoeTune.TuningDb.Storage;

/// <summary>Moves a damaged database (and LiteDB's log file beside it) out of the way, keeping it for inspection.</summary>
internal static class CorruptFileQuarantine
{
    /// <summary>
    /// Renames <paramref name="path"/> to <c>&lt;path&gt;.corrupt-&lt;UTC timestamp&gt;</c> (with a counter where that
    /// exists), and LiteDB's <c>&lt;name&gt;-log&lt;ext&gt;</c> alike. Returns the new name of the database file.
    /// </summary>
    public static string MoveAside(string path, DateTimeOffset now)
    {
        var suffix = ".corrupt-" + now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var target = FreeName(path + suffix);
        File.Move(path, target);
        var log = LogFileOf(path);
        if (File.Exists(log))
        {
            File.Move(log, FreeName(log + suffix));
        }

        return target;
    }

    /// <summary>LiteDB 5's write-ahead log beside a data file: "tuning.db" has "tuning-log.db".</summary>
    public static string LogFileOf(string path) => Path.Combine(
        Path.GetDirectoryName(path) ?? "",
        Path.GetFileNameWithoutExtension(path) + "-log" + Path.GetExtension(path));

    private static string FreeName(string wanted)
    {
        var name = wanted;
        for (var n = 1; File.Exists(name); n++)
        {
            name = string.Create(CultureInfo.InvariantCulture, $"{wanted}-{n}");
        }

        return name;
    }
}
