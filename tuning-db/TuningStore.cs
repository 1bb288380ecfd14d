using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MoeTune.TuningDb.Logging;
using MoeTune.TuningDb.Schema;
using MoeTune.TuningDb.Storage;

namespace MoeTune.TuningDb;

/// <summary>
/// The tuning store: GPU classes, problems, measurements per candidate and decisions, in one LiteDB file that several
/// tuners may write at once (each operation holds a lock file), checked for damage when opened, migrated to the current
/// schema, and exported or imported as JSON. Thread-safe: operations run one at a time.
/// </summary>
public sealed partial class TuningStore : IDisposable
{
    /// <summary>The schema of the database and of export files.</summary>
    public const int SchemaVersion = 2;

    private readonly DatabaseAccess _access;
    private readonly ILogger _logger;

    private TuningStore(DatabaseAccess access, ILogger logger)
    {
        _access = access;
        _logger = logger;
    }

    /// <summary>The database file's full path, or ":memory:".</summary>
    public string Location => _access.Location;

    public bool IsInMemory => _access is MemoryDatabaseAccess;

    /// <summary>
    /// Opens (creating where needed) the database at <see cref="TuningStoreOptions.Path"/>. A damaged file is moved
    /// aside with a warning and replaced by a fresh one; an older schema is migrated.
    /// </summary>
    /// <exception cref="TuningStoreException">
    /// The location cannot be written (unless <see cref="TuningStoreOptions.InMemoryWhenUnwritable"/>), the lock is
    /// held too long, or the file is from a newer MoeTune or not a tuning database.
    /// </exception>
    public static TuningStore Open(TuningStoreOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        logger ??= NullLogger.Instance;
        var path = TuningStoreLocation.FullPath(options.Path, "the tuning database location");
        FileDatabaseAccess access;
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            access = new FileDatabaseAccess(path, options.LockTimeout);
            access.Locked(() => Prepare(access, options.Clock, logger));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (!options.InMemoryWhenUnwritable)
            {
                throw new TuningStoreException(
                    $"the tuning database at {path} cannot be written: {e.Message}. Set {TuningStoreLocation.EnvironmentVariable} to a writable file.", e);
            }

            logger.UsingMemoryStore(path, e.Message);
            return OpenInMemory(logger);
        }

        return new TuningStore(access, logger);
    }

    /// <summary>A store that lives in memory only, for runs that must not write (and for tests).</summary>
    public static TuningStore OpenInMemory(ILogger? logger = null)
    {
        var access = new MemoryDatabaseAccess();
        access.Run(db => SchemaMigrator.Bring(db, DatabaseAccess.InMemory));
        return new TuningStore(access, logger ?? NullLogger.Instance);
    }

    public void Dispose() => _access.Dispose();

    /// <summary>With the lock held: move a damaged file aside, then bring the (possibly new) file to the current schema.</summary>
    private static bool Prepare(FileDatabaseAccess access, TimeProvider clock, ILogger logger)
    {
        var path = access.Location;
        if (DatabaseIntegrity.FindDamage(path, access.OpenReadOnlyUnlocked) is { } damage)
        {
            var movedTo = CorruptFileQuarantine.MoveAside(path, clock.GetUtcNow());
            logger.MovedCorruptDatabaseAside(path, damage, movedTo);
        }

        using var db = access.OpenUnlocked();
        var from = SchemaMigrator.Bring(db, path);
        if (from != 0 && from != SchemaVersion)
        {
            logger.MigratedSchema(path, from, SchemaVersion);
        }

        return true;
    }
}
