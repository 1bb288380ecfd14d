using System.Globalization;
using System.Text;
using LiteDB;

namespace MoeTune.TuningDb.Storage;

/// <summary>
/// Decides whether a database file can be trusted before the store uses it. LiteDB alone is not enough: it silently
/// re-initialises a file shorter than one page (destroying the evidence) and opens a file with damaged data pages,
/// failing only when a query reaches them. So the raw file is checked first (whole pages, LiteDB's header text and
/// file version), then every document of every collection is read.
/// </summary>
internal static class DatabaseIntegrity
{
    /// <summary>LiteDB 5's page size: a data file is a whole number of pages.</summary>
    private const int PageSize = 8192;

    /// <summary>Where LiteDB 5 writes its header text (after the 32-byte page header), and the file version after it.</summary>
    private const int HeaderInfoOffset = 32;

    private const byte FileVersion = 8;

    private static readonly byte[] HeaderInfo = Encoding.ASCII.GetBytes("** This is a LiteDB file **");

    /// <summary>Null where the file is absent, empty or sound; otherwise what is wrong with it. The caller holds the store's lock.</summary>
    public static string? FindDamage(string path, Func<LiteDatabase> open)
    {
        var file = new FileInfo(path);
        if (!file.Exists || file.Length == 0)
        {
            return null;
        }

        if (file.Length % PageSize != 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"its size, {file.Length} bytes, is not a whole number of {PageSize}-byte pages (truncated?)");
        }

        var header = new byte[HeaderInfoOffset + HeaderInfo.Length + 1];
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            stream.ReadExactly(header);
        }

        if (!header.AsSpan(HeaderInfoOffset, HeaderInfo.Length).SequenceEqual(HeaderInfo) || header[^1] != FileVersion)
        {
            return "it does not start with a LiteDB 5 header";
        }

        return ReadEverything(open);
    }

    private static string? ReadEverything(Func<LiteDatabase> open)
    {
        try
        {
            using var db = open();
            foreach (var name in db.GetCollectionNames().ToArray())
            {
                var collection = db.GetCollection(name);
                var read = collection.FindAll().Count();
                var indexed = collection.Count();
                if (read != indexed)
                {
                    return string.Create(CultureInfo.InvariantCulture, $"collection '{name}' reads {read} documents but its index counts {indexed}");
                }
            }

            return null;
        }
        catch (Exception e) when (!IsAccessProblem(e))
        {
            // Whatever LiteDB throws on damaged pages (LiteException, NotImplementedException, InvalidCastException,
            // IndexOutOfRangeException were all seen on corrupted files) means the same thing here.
            return $"reading it failed: {e.GetType().Name}: {e.Message}";
        }
    }

    /// <summary>
    /// Errors about reaching the file rather than its content: they propagate, and the store reports an unwritable
    /// location. Reading past the end or undecodable data are content.
    /// </summary>
    private static bool IsAccessProblem(Exception e) =>
        e is UnauthorizedAccessException or OutOfMemoryException
        || (e is IOException && e is not (EndOfStreamException or InvalidDataException));
}
