using LiteDB;

namespace MoeTune.TuningDb.Storage;

/// <summary>How the store reaches its LiteDB database: one operation at a time, with the database open for just that operation.</summary>
internal abstract class DatabaseAccess : IDisposable
{
    /// <summary>Where the data lives: a full file path, or <see cref="InMemory"/>.</summary>
    public abstract string Location { get; }

    public const string InMemory = ":memory:";

    /// <summary>Runs <paramref name="operation"/> alone against the database: no other process or store touches it meanwhile.</summary>
    public abstract T Run<T>(Func<ILiteDatabase, T> operation);

    public void Run(Action<ILiteDatabase> operation) => Run(db =>
    {
        operation(db);
        return true;
    });

    public abstract void Dispose();
}

/// <summary>
/// A database file shared with other processes. Each operation takes the side lock, opens the file in LiteDB's direct
/// mode, runs, and closes it again (LiteDB checkpoints its log on close), so the file is whole whenever the lock is free.
/// LiteDB's own shared mode uses a named mutex that a crashed process can leave abandoned; the lock file cannot be.
/// </summary>
internal sealed class FileDatabaseAccess(string path, TimeSpan lockTimeout) : DatabaseAccess
{
    public override string Location => path;

    public string LockPath => path + ".lock";

    public override T Run<T>(Func<ILiteDatabase, T> operation) => Locked(() =>
    {
        using var db = OpenUnlocked();
        return operation(db);
    });

    /// <summary>Runs <paramref name="action"/> holding the lock, without opening the database (integrity checks read the raw file first).</summary>
    public T Locked<T>(Func<T> action)
    {
        using var held = StoreFileLock.Acquire(LockPath, lockTimeout);
        return action();
    }

    /// <summary>Opens the file; the caller holds the lock.</summary>
    public LiteDatabase OpenUnlocked() => new(new ConnectionString { Filename = path, Connection = ConnectionType.Direct });

    /// <summary>Opens the file without writing to it (LiteDB otherwise updates a file as it opens it); the caller holds the lock.</summary>
    public LiteDatabase OpenReadOnlyUnlocked() => new(new ConnectionString { Filename = path, Connection = ConnectionType.Direct, ReadOnly = true });

    /// <summary>Nothing is held between operations.</summary>
    public override void Dispose()
    {
    }
}

/// <summary>A database in memory, for callers that opted in to one where the file cannot be written. Lost on dispose.</summary>
internal sealed class MemoryDatabaseAccess : DatabaseAccess
{
    private readonly Lock _gate = new();
    private readonly LiteDatabase _db = new(new MemoryStream());

    public override string Location => InMemory;

    public override T Run<T>(Func<ILiteDatabase, T> operation)
    {
        lock (_gate)
        {
            return operation(_db);
        }
    }

    public override void Dispose() => _db.Dispose();
}
