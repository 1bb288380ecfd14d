using LiteDB;
using MoeTune.TuningDb.Exchange;
using MoeTune.TuningDb.Storage;

namespace MoeTune.TuningDb.Schema;

/// <summary>
/// Schema 1 → 2. Schema 1 followed DESIGN.md's first GPU class key, which included the driver version: the GPU key in
/// envelopes and ids was "&lt;class key&gt;|&lt;driver&gt;", and each record's <c>gpu</c> object carried
/// <c>driverVersion</c>. So a driver update orphaned every decision instead of marking it stale. Schema 2 keys GPU
/// classes without the driver and keeps it on the record (<c>driverVersion</c> on measurements; decisions already had
/// it in their provenance). Where two schema-1 records differ only by driver, the newer one is kept. Records already in
/// schema 2 shape are left alone, so a step interrupted before its version was written can run again.
/// </summary>
internal static class MigrationFromV1
{
    private const string DriverField = "driverVersion";

    public static void Apply(ILiteDatabase db)
    {
        Rekey(db, StoreLayout.GpuClasses, (gpuKey, _) => gpuKey, record => record, _ => DateTimeOffset.MinValue);
        Rekey(
            db,
            StoreLayout.Measurements,
            (gpuKey, e) => StoreLayout.MeasurementId(gpuKey, e["problem"].AsString, e["backend"].AsString),
            record => record["gpu"].AsDocument,
            record => DateTimeOffset.Parse(record["measuredAt"].AsString, System.Globalization.CultureInfo.InvariantCulture),
            keepDriverOnRecord: true);
        Rekey(
            db,
            StoreLayout.Decisions,
            (gpuKey, e) => StoreLayout.DecisionId(gpuKey, e["problem"].AsString, e["objective"].AsString),
            record => record["gpu"].AsDocument,
            record => DateTimeOffset.Parse(record["provenance"].AsDocument["at"].AsString, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Moves the driver off the GPU object of every schema-1 record in one collection and re-keys the envelope.</summary>
    /// <param name="db">The database, inside the migration's transaction.</param>
    /// <param name="collectionName">The collection to migrate.</param>
    /// <param name="newId">The schema-2 id from the driver-free GPU key and the envelope.</param>
    /// <param name="gpuOf">The record's GPU object (for gpu_classes, the record itself).</param>
    /// <param name="timeOf">When the record was made, to keep the newer of two that collapse into one id.</param>
    /// <param name="keepDriverOnRecord">Move the driver onto the record rather than drop it.</param>
    private static void Rekey(
        ILiteDatabase db,
        string collectionName,
        Func<string, BsonDocument, string> newId,
        Func<BsonDocument, BsonDocument> gpuOf,
        Func<BsonDocument, DateTimeOffset> timeOf,
        bool keepDriverOnRecord = false)
    {
        var collection = db.GetCollection(collectionName);
        foreach (var envelope in collection.FindAll().ToArray())
        {
            var where = StoreLayout.Where(collectionName, envelope);
            var record = envelope[StoreLayout.Record].AsDocument;
            var gpu = gpuOf(record);
            if (!gpu.TryGetValue(DriverField, out var driver))
            {
                continue;
            }

            gpu.Remove(DriverField);
            if (keepDriverOnRecord)
            {
                record[DriverField] = driver;
            }

            var gpuKey = RecordMapper.ToGpuClass(BsonJson.FromDocument<GpuClassRecord>(gpu, where + ".gpu"), where + ".gpu").Key;
            collection.Delete(envelope["_id"]);
            envelope["_id"] = newId(gpuKey, envelope);
            if (envelope.ContainsKey("gpu"))
            {
                envelope["gpu"] = gpuKey;
            }

            var existing = collection.FindById(envelope["_id"]);
            if (existing is null || timeOf(record) > timeOf(existing[StoreLayout.Record].AsDocument))
            {
                collection.Upsert(envelope);
            }
        }
    }
}
