using LiteDB;
using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Tuning;
using MoeTune.TuningDb.Schema;

namespace MoeTune.TuningDb;

/// <summary>Reading and writing records.</summary>
public sealed partial class TuningStore
{
    /// <summary>Adds <paramref name="label"/> (a preset or model name) to the problem's labels.</summary>
    public void AddProblemLabel(MoeShape problem, string label)
    {
        ArgumentNullException.ThrowIfNull(problem);
        if (ProblemLabels.Check(label) is { } error)
        {
            throw new ArgumentException($"label for {problem}: {error}", nameof(label));
        }

        _access.Run(db => SaveProblem(db, problem, [label]));
    }

    /// <summary>Every problem the store knows, with its labels.</summary>
    public IReadOnlyList<(MoeShape Shape, IReadOnlyList<string> Labels)> GetProblems() =>
        _access.Run(db => db.GetCollection(StoreLayout.Problems).FindAll().Select(StoreLayout.ReadProblem).ToArray());

    public IReadOnlyList<GpuClass> GetGpuClasses() =>
        _access.Run(db => db.GetCollection(StoreLayout.GpuClasses).FindAll().Select(StoreLayout.ReadGpuClass).ToArray());

    /// <summary>Stores <paramref name="measurement"/>, replacing the previous one of the same backend, problem and GPU class.</summary>
    public void SaveMeasurement(CandidateMeasurement measurement)
    {
        ArgumentNullException.ThrowIfNull(measurement);
        if (measurement.FirstError() is { } error)
        {
            throw new ArgumentException($"invalid measurement: {error}", nameof(measurement));
        }

        _access.Run(db =>
        {
            db.BeginTrans();
            SaveContext(db, measurement.Gpu, measurement.Problem);
            db.GetCollection(StoreLayout.Measurements).Upsert(StoreLayout.Envelope(measurement));
            db.Commit();
        });
    }

    /// <summary>
    /// The still-valid measurements for this GPU class and problem: those whose backend is among
    /// <paramref name="currentPlugins"/> with the same version and kernel hash. Others are not returned (their
    /// backends must be measured again), whatever other backends did.
    /// </summary>
    public IReadOnlyList<CandidateMeasurement> GetMeasurements(DeviceInfo device, MoeShape problem, IReadOnlyCollection<PluginKey> currentPlugins)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(currentPlugins);
        var gpuKey = device.ClassKey;
        var stored = _access.Run(db => db.GetCollection(StoreLayout.Measurements)
            .Find(Query.And(Query.EQ("gpu", gpuKey), Query.EQ("problem", problem.Hash)))
            .Select(StoreLayout.ReadMeasurement)
            .ToArray());
        return stored.Where(m => currentPlugins.Contains(m.Plugin)).OrderBy(m => m.Plugin.Backend, StringComparer.Ordinal).ToArray();
    }

    /// <summary>Stores <paramref name="decision"/>, replacing the previous one for its GPU class, problem and objective.</summary>
    public void SaveDecision(TuningDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        if (decision.FirstError() is { } error)
        {
            throw new ArgumentException($"invalid decision: {error}", nameof(decision));
        }

        _access.Run(db =>
        {
            db.BeginTrans();
            SaveContext(db, decision.Gpu, decision.Problem);
            db.GetCollection(StoreLayout.Decisions).Upsert(StoreLayout.Envelope(decision));
            db.Commit();
        });
    }

    /// <summary>
    /// The decision for this device's GPU class, problem and objective, or null. It is stale where the device's driver
    /// differs from the one it was tuned under, and invalid where a backend of its plan is missing from
    /// <paramref name="currentPlugins"/> or differs in version or kernel hash.
    /// </summary>
    public StoredDecision? GetDecision(DeviceInfo device, MoeShape problem, TuningObjective objective, IReadOnlyCollection<PluginKey> currentPlugins)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(currentPlugins);
        var id = StoreLayout.DecisionId(device.ClassKey, problem.Hash, objective.ToName());
        var envelope = _access.Run(db => db.GetCollection(StoreLayout.Decisions).FindById(id));
        if (envelope is null)
        {
            return null;
        }

        var decision = StoreLayout.ReadDecision(envelope);
        var tunedUnder = decision.Provenance.DriverVersion;
        var stale = tunedUnder == device.DriverVersion
            ? null
            : $"tuned under driver {Describe(tunedUnder)}; this GPU now runs driver {Describe(device.DriverVersion)}";
        var changes = decision.Plugins.Select(then => (Then: then, Now: currentPlugins.FirstOrDefault(p => p.Backend == then.Backend)))
            .Where(p => p.Then != p.Now)
            .Select(p => p.Now is null ? $"{p.Then.Backend} is not loaded" : $"{p.Then.Backend} changed from {p.Then.Version} ({p.Then.KernelSourceHash}) to {p.Now.Version} ({p.Now.KernelSourceHash})")
            .ToArray();
        return new StoredDecision(decision, stale, changes.Length == 0 ? null : string.Join("; ", changes));
    }

    private static string Describe(string driver) => driver.Length == 0 ? "(none)" : driver;

    /// <summary>Records the GPU class and the problem a record refers to (labels kept).</summary>
    private static void SaveContext(ILiteDatabase db, GpuClass gpu, MoeShape problem)
    {
        db.GetCollection(StoreLayout.GpuClasses).Upsert(StoreLayout.Envelope(gpu));
        SaveProblem(db, problem, []);
    }

    private static void SaveProblem(ILiteDatabase db, MoeShape problem, IReadOnlyList<string> labels)
    {
        var collection = db.GetCollection(StoreLayout.Problems);
        var existing = collection.FindById(problem.Hash);
        var known = existing is null ? [] : StoreLayout.ReadProblem(existing).Labels;
        var merged = known.Concat(labels).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (existing is null || merged.Length != known.Count)
        {
            collection.Upsert(StoreLayout.Envelope(problem, merged));
        }
    }
}
