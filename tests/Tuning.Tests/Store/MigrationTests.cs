using LiteDB;
using Microsoft.Extensions.Logging;
using MoeTune.Tuning.Tests.Store.Support;
using MoeTune.TuningDb;

namespace MoeTune.Tuning.Tests.Store;

/// <summary>
/// A schema-1 database (the GPU key held the driver version) written record by record as schema 1 stored it, then
/// opened by the current store.
/// </summary>
public sealed class MigrationTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_schema_1_database_is_migrated_and_its_records_read_back()
    {
        WriteSchema1(drivers: ["12.4"]);
        var log = new RecordingLogger();

        using var store = TuningStore.Open(new TuningStoreOptions(_folder.DatabasePath), log);

        Assert.Contains(log.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("from schema 1 to 2", StringComparison.Ordinal));
        var measurement = Assert.Single(store.GetMeasurements(Samples.H100(), Samples.Qwen3, [Samples.Marlin]));
        Assert.Equal("12.4", measurement.DriverVersion);
        Assert.Equal(GpuClass.Of(Samples.H100()), Assert.Single(store.GetGpuClasses()));

        // The point of the migration: a newer driver now finds the decision, marked stale, instead of nothing.
        var decision = store.GetDecision(Samples.H100(driver: "12.8"), Samples.Qwen3, TuningObjective.Latency, [Samples.Marlin, Samples.Cutlass]);
        Assert.NotNull(decision);
        Assert.Equal("tuned under driver 12.4; this GPU now runs driver 12.8", decision.StaleReason);
        Assert.Equal(Samples.Decision().Plan, decision.Decision.Plan);
    }

    [Fact]
    public void Records_that_differed_only_by_driver_collapse_to_the_newest()
    {
        WriteSchema1(drivers: ["12.2", "12.4"]);

        using var store = TuningStore.Open(new TuningStoreOptions(_folder.DatabasePath));

        Assert.Equal("12.4", Assert.Single(store.GetMeasurements(Samples.H100(), Samples.Qwen3, [Samples.Marlin])).DriverVersion);
        Assert.Equal("12.4", store.GetDecision(Samples.H100(), Samples.Qwen3, TuningObjective.Latency, [Samples.Marlin, Samples.Cutlass])!.Decision.Provenance.DriverVersion);
    }

    [Fact]
    public void A_migrated_database_opens_again_without_migrating()
    {
        WriteSchema1(drivers: ["12.4"]);
        TuningStore.Open(new TuningStoreOptions(_folder.DatabasePath)).Dispose();
        var log = new RecordingLogger();

        using var store = TuningStore.Open(new TuningStoreOptions(_folder.DatabasePath), log);

        Assert.Empty(log.Entries);
        Assert.Single(store.GetMeasurements(Samples.H100(), Samples.Qwen3, [Samples.Marlin]));
    }

    /// <summary>
    /// Writes what schema 1 stored for one measurement and one decision per driver, each later driver an hour newer:
    /// envelopes keyed by "class key|driver", the driver inside the record's gpu object, no driverVersion on measurements.
    /// Built from a current store's export, so the rest of each record is what schema 1 and 2 share.
    /// </summary>
    private void WriteSchema1(IReadOnlyList<string> drivers)
    {
        using var db = new LiteDatabase(_folder.DatabasePath);
        var hour = 0;
        foreach (var driver in drivers)
        {
            var device = Samples.H100(driver);
            var at = Samples.Noon.AddHours(hour++);
            var gpuKey = device.ClassKey + "|" + driver;
            var gpu = new BsonDocument
            {
                ["kind"] = "cuda",
                ["name"] = device.Name,
                ["smMajor"] = device.SmMajor,
                ["smMinor"] = device.SmMinor,
                ["smCount"] = device.MultiprocessorCount,
                ["memoryBytes"] = device.TotalMemoryBytes,
                ["driverVersion"] = driver,
            };
            db.GetCollection("gpu_classes").Upsert(new BsonDocument { ["_id"] = gpuKey, ["record"] = gpu });

            var measurement = Schema2Record(device, at, decision: false);
            measurement.Remove("driverVersion");
            measurement["gpu"] = new BsonDocument(gpu);
            db.GetCollection("measurements").Upsert(new BsonDocument
            {
                ["_id"] = $"{gpuKey}/{Samples.Qwen3.Hash}/Marlin",
                ["gpu"] = gpuKey,
                ["problem"] = Samples.Qwen3.Hash,
                ["backend"] = "Marlin",
                ["record"] = measurement,
            });

            var decision = Schema2Record(device, at, decision: true);
            decision["gpu"] = new BsonDocument(gpu);
            db.GetCollection("decisions").Upsert(new BsonDocument
            {
                ["_id"] = $"{gpuKey}/{Samples.Qwen3.Hash}/latency",
                ["gpu"] = gpuKey,
                ["problem"] = Samples.Qwen3.Hash,
                ["objective"] = "latency",
                ["record"] = decision,
            });
        }

        db.UserVersion = 1;
    }

    /// <summary>A current record as BSON, taken from an in-memory store's export.</summary>
    private static BsonDocument Schema2Record(Abstractions.Devices.DeviceInfo device, DateTimeOffset at, bool decision)
    {
        using var store = TuningStore.OpenInMemory();
        store.SaveMeasurement(Samples.Timed(Samples.Marlin, at: at, device: device));
        store.SaveDecision(Samples.Decision(device, at: at));
        using var stream = new MemoryStream();
        store.Export(stream, "0.0.9", at);
        var export = LiteDB.JsonSerializer.Deserialize(System.Text.Encoding.UTF8.GetString(stream.ToArray())).AsDocument;
        return export[decision ? "decisions" : "measurements"].AsArray[0].AsDocument;
    }
}
