using LiteDB;
using MoeTune.Abstractions.Problems;
using MoeTune.Tuning;
using MoeTune.TuningDb.Exchange;
using MoeTune.TuningDb.Storage;

namespace MoeTune.TuningDb.Schema;

/// <summary>
/// The database layout (schema <see cref="TuningStore.SchemaVersion"/>): four collections of envelopes. An envelope
/// holds the record (the export's JSON shape, as BSON) under <c>record</c>, beside the key fields queries use.
/// <list type="bullet">
/// <item><c>gpu_classes</c>: <c>_id</c> = the GPU class key.</item>
/// <item><c>problems</c>: <c>_id</c> = the shape hash.</item>
/// <item><c>measurements</c>: <c>_id</c> = "gpu/problem/backend", with <c>gpu</c>, <c>problem</c>, <c>backend</c>.</item>
/// <item><c>decisions</c>: <c>_id</c> = "gpu/problem/objective", with <c>gpu</c>, <c>problem</c>, <c>objective</c>.</item>
/// </list>
/// The schema version is LiteDB's <c>UserVersion</c> pragma.
/// </summary>
internal static class StoreLayout
{
    public const string GpuClasses = "gpu_classes";
    public const string Problems = "problems";
    public const string Measurements = "measurements";
    public const string Decisions = "decisions";
    public const string Record = "record";

    public static string MeasurementId(string gpuKey, string problemHash, string backend) => $"{gpuKey}/{problemHash}/{backend}";

    public static string DecisionId(string gpuKey, string problemHash, string objective) => $"{gpuKey}/{problemHash}/{objective}";

    public static BsonDocument Envelope(GpuClass gpu) => new()
    {
        ["_id"] = gpu.Key,
        [Record] = BsonJson.ToDocument(RecordMapper.ToRecord(gpu)),
    };

    public static BsonDocument Envelope(MoeShape shape, IReadOnlyList<string> labels) => new()
    {
        ["_id"] = shape.Hash,
        [Record] = BsonJson.ToDocument(RecordMapper.ToRecord(shape, labels)),
    };

    public static BsonDocument Envelope(CandidateMeasurement m) => new()
    {
        ["_id"] = MeasurementId(m.Gpu.Key, m.Problem.Hash, m.Plugin.Backend),
        ["gpu"] = m.Gpu.Key,
        ["problem"] = m.Problem.Hash,
        ["backend"] = m.Plugin.Backend,
        [Record] = BsonJson.ToDocument(RecordMapper.ToRecord(m)),
    };

    public static BsonDocument Envelope(TuningDecision d) => new()
    {
        ["_id"] = DecisionId(d.Gpu.Key, d.Problem.Hash, d.Objective.ToName()),
        ["gpu"] = d.Gpu.Key,
        ["problem"] = d.Problem.Hash,
        ["objective"] = d.Objective.ToName(),
        [Record] = BsonJson.ToDocument(RecordMapper.ToRecord(d)),
    };

    public static CandidateMeasurement ReadMeasurement(BsonDocument envelope) =>
        RecordMapper.ToMeasurement(BsonJson.FromDocument<MeasurementRecord>(envelope[Record], Where(Measurements, envelope)), Where(Measurements, envelope));

    public static TuningDecision ReadDecision(BsonDocument envelope) =>
        RecordMapper.ToDecision(BsonJson.FromDocument<DecisionRecord>(envelope[Record], Where(Decisions, envelope)), Where(Decisions, envelope));

    public static (MoeShape Shape, IReadOnlyList<string> Labels) ReadProblem(BsonDocument envelope) =>
        RecordMapper.ToProblem(BsonJson.FromDocument<ProblemRecord>(envelope[Record], Where(Problems, envelope)), Where(Problems, envelope));

    public static GpuClass ReadGpuClass(BsonDocument envelope) =>
        RecordMapper.ToGpuClass(BsonJson.FromDocument<GpuClassRecord>(envelope[Record], Where(GpuClasses, envelope)), Where(GpuClasses, envelope));

    /// <summary>Creates the indexes the queries use (idempotent).</summary>
    public static void EnsureIndexes(ILiteDatabase db)
    {
        foreach (var name in new[] { Measurements, Decisions })
        {
            db.GetCollection(name).EnsureIndex("gpu");
            db.GetCollection(name).EnsureIndex("problem");
        }
    }

    /// <summary>"measurements/&lt;id&gt;": where a stored record is, for error messages.</summary>
    public static string Where(string collection, BsonDocument envelope) => $"{collection}/{envelope["_id"].AsString}";
}
