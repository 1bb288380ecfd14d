namespace MoeTune.TuningDb;

/// <summary>How <see cref="TuningStore.Open"/> opens the database file.</summary>
/// <param name="Path">The database file (see <see cref="TuningStoreLocation.Resolve()"/>).</param>
public sealed record TuningStoreOptions(string Path)
{
    /// <summary>Where the file cannot be written, open an in-memory store with a warning instead of failing. Off by default.</summary>
    public bool InMemoryWhenUnwritable { get; init; }

    /// <summary>How long one operation waits for another process's lock on the file before failing.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock that stamps the name of a corrupt file moved aside.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public static TuningStoreOptions For(TuningStoreLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return new TuningStoreOptions(location.Path);
    }
}
