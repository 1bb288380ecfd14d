using LiteDB;
using MoeTune.Abstractions.Problems;
using MoeTune.Tuning;
using MoeTune.TuningDb.Schema;

namespace MoeTune.TuningDb;

/// <summary>Listing and forgetting records, for <c>moetune db list|show|forget</c>.</summary>
public sealed partial class TuningStore
{
    /// <summary>Every stored decision, by GPU class, problem and objective (validity is judged per device by <see cref="GetDecision"/>).</summary>
    public IReadOnlyList<TuningDecision> GetDecisions() =>
        _access.Run(db => db.GetCollection(StoreLayout.Decisions).FindAll().Select(StoreLayout.ReadDecision).ToArray())
            .OrderBy(d => d.Gpu.Key, StringComparer.Ordinal)
            .ThenBy(d => d.Problem.Hash, StringComparer.Ordinal)
            .ThenBy(d => d.Objective)
            .ToArray();

    /// <summary>Every stored measurement for a GPU class and problem, whatever plugin versions it was taken with.</summary>
    public IReadOnlyList<CandidateMeasurement> GetAllMeasurements(string gpuClassKey, MoeShape problem)
    {
        ArgumentNullException.ThrowIfNull(gpuClassKey);
        ArgumentNullException.ThrowIfNull(problem);
        return _access.Run(db => db.GetCollection(StoreLayout.Measurements)
                .Find(Query.And(Query.EQ("gpu", gpuClassKey), Query.EQ("problem", problem.Hash)))
                .Select(StoreLayout.ReadMeasurement)
                .ToArray())
            .OrderBy(m => m.Plugin.Backend, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>
    /// Deletes the decisions matching every given filter (null matches anything) and, unless an objective is given
    /// (measurements serve every objective), the measurements of the same GPU classes and problems.
    /// </summary>
    /// <returns>How many decisions and measurements were deleted.</returns>
    public (int Decisions, int Measurements) Forget(string? gpuClassKey, string? problemHash, TuningObjective? objective)
    {
        var keys = new List<BsonExpression>();
        if (gpuClassKey is not null) keys.Add(Query.EQ("gpu", gpuClassKey));
        if (problemHash is not null) keys.Add(Query.EQ("problem", problemHash));
        var decisionFilter = objective is { } o ? [.. keys, Query.EQ("objective", o.ToName())] : keys;
        return _access.Run(db =>
        {
            db.BeginTrans();
            var decisions = Delete(db.GetCollection(StoreLayout.Decisions), decisionFilter);
            var measurements = objective is null ? Delete(db.GetCollection(StoreLayout.Measurements), keys) : 0;
            db.Commit();
            return (decisions, measurements);
        });
    }

    private static int Delete(ILiteCollection<BsonDocument> collection, List<BsonExpression> filter) => filter.Count switch
    {
        0 => collection.DeleteAll(),
        1 => collection.DeleteMany(filter[0]),
        _ => collection.DeleteMany(Query.And([.. filter])),
    };
}
