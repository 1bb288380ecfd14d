using LiteDB;

namespace MoeTune.TuningDb.Schema;

/// <summary>Brings a database to <see cref="TuningStore.SchemaVersion"/>, one step per version, each in a transaction.</summary>
internal static class SchemaMigrator
{
    /// <summary>Step i turns schema i into schema i + 1.</summary>
    private static readonly Dictionary<int, Action<ILiteDatabase>> Steps = new()
    {
        [1] = MigrationFromV1.Apply,
    };

    /// <summary>Returns the version the database had (0 for a new, empty file). The caller holds the store's lock.</summary>
    /// <exception cref="TuningStoreException">The file is from a newer MoeTune, or is a LiteDB file MoeTune did not create.</exception>
    public static int Bring(ILiteDatabase db, string location)
    {
        var found = db.UserVersion;
        if (found > TuningStore.SchemaVersion)
        {
            throw new TuningStoreException(
                $"the tuning database at {location} has schema version {found}, written by a newer MoeTune; this one reads up to {TuningStore.SchemaVersion}. Upgrade MoeTune or point MOETUNE_DB elsewhere.");
        }

        if (found == 0)
        {
            if (db.GetCollectionNames().Any())
            {
                throw new TuningStoreException(
                    $"{location} is a LiteDB file without a MoeTune schema version: not a tuning database. Point MOETUNE_DB at another file.");
            }

            db.UserVersion = TuningStore.SchemaVersion;
        }

        for (var version = found == 0 ? TuningStore.SchemaVersion : found; version < TuningStore.SchemaVersion; version++)
        {
            db.BeginTrans();
            Steps[version](db);
            db.Commit();
            db.UserVersion = version + 1;
        }

        StoreLayout.EnsureIndexes(db);
        return found;
    }
}
