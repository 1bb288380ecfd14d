using JsonSerializer = System.Text.Json.JsonSerializer;
using LiteDB;
using MoeTune.TuningDb.Exchange;
using MoeTune.TuningDb.Logging;
using MoeTune.TuningDb.Schema;

namespace MoeTune.TuningDb;

/// <summary>JSON export and import, so that a fleet tunes once per GPU model.</summary>
public sealed partial class TuningStore
{
    /// <summary>Writes every problem, measurement and decision as JSON (UTF-8) with the schema version and who exported it when.</summary>
    public void Export(Stream destination, string toolVersion, DateTimeOffset exportedAt)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentException.ThrowIfNullOrWhiteSpace(toolVersion);
        var file = _access.Run(db => new ExportFile
        {
            SchemaVersion = SchemaVersion,
            ExportedAt = exportedAt,
            ToolVersion = toolVersion,
            Problems = db.GetCollection(StoreLayout.Problems).FindAll().Select(StoreLayout.ReadProblem)
                .Select(p => RecordMapper.ToRecord(p.Shape, p.Labels)).ToArray(),
            Measurements = db.GetCollection(StoreLayout.Measurements).FindAll().Select(StoreLayout.ReadMeasurement)
                .Select(RecordMapper.ToRecord).ToArray(),
            Decisions = db.GetCollection(StoreLayout.Decisions).FindAll().Select(StoreLayout.ReadDecision)
                .Select(RecordMapper.ToRecord).ToArray(),
        });
        JsonSerializer.Serialize(destination, file, RecordJson.Options);
    }

    /// <summary>
    /// Merges an export file: problems' labels are added, and a measurement or decision replaces the local one only
    /// where it is newer. The whole file is validated first, so a bad file changes nothing.
    /// </summary>
    /// <param name="source">The file's content.</param>
    /// <param name="sourceName">The file's name, for messages.</param>
    /// <exception cref="TuningStoreException">The file is rejected; the message names the first bad field by its JSON path.</exception>
    public ImportSummary Import(Stream source, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(sourceName);
        var batch = ExportReader.Read(source, sourceName);
        var summary = _access.Run(db =>
        {
            db.BeginTrans();
            foreach (var (shape, labels) in batch.Problems)
            {
                SaveProblem(db, shape, labels);
            }

            var measurements = Merge(db, StoreLayout.Measurements, batch.Measurements, StoreLayout.Envelope,
                StoreLayout.ReadMeasurement, m => m.MeasuredAt, m => (m.Gpu, m.Problem));
            var decisions = Merge(db, StoreLayout.Decisions, batch.Decisions, StoreLayout.Envelope,
                StoreLayout.ReadDecision, d => d.Provenance.At, d => (d.Gpu, d.Problem));
            db.Commit();
            return new ImportSummary(batch.Problems.Count, measurements.Taken, decisions.Taken, measurements.Skipped + decisions.Skipped);
        });
        _logger.Imported(sourceName, summary);
        return summary;
    }

    /// <summary>Stores each incoming record unless the local one with its id is as new or newer.</summary>
    private static (int Taken, int Skipped) Merge<T>(
        ILiteDatabase db,
        string collectionName,
        IReadOnlyList<T> incoming,
        Func<T, BsonDocument> envelope,
        Func<BsonDocument, T> read,
        Func<T, DateTimeOffset> madeAt,
        Func<T, (GpuClass Gpu, Abstractions.Problems.MoeShape Problem)> context)
    {
        var collection = db.GetCollection(collectionName);
        int taken = 0, skipped = 0;
        foreach (var record in incoming)
        {
            var document = envelope(record);
            var local = collection.FindById(document["_id"]);
            if (local is not null && madeAt(read(local)) >= madeAt(record))
            {
                skipped++;
                continue;
            }

            var (gpu, problem) = context(record);
            SaveContext(db, gpu, problem);
            collection.Upsert(document);
            taken++;
        }

        return (taken, skipped);
    }
}
