using LiteDB;
using Microsoft.Extensions.Logging;
using MoeTune.Tuning.Tests.Store.Support;
using MoeTune.TuningDb;

namespace MoeTune.Tuning.Tests.Store;

/// <summary>Damaged files, unwritable locations, foreign or newer files, and a lock held too long.</summary>
public sealed class RobustnessTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly RecordingLogger _log = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_truncated_file_is_moved_aside_with_a_warning_and_replaced()
    {
        WriteHealthyDatabase();
        using (var stream = new FileStream(_folder.DatabasePath, FileMode.Open))
        {
            stream.SetLength(10_000);
        }

        AssertRecoveredFrom("not a whole number of 8192-byte pages");
    }

    [Fact]
    public void A_file_cut_at_a_page_boundary_is_found_by_reading_every_record()
    {
        WriteHealthyDatabase();
        using (var stream = new FileStream(_folder.DatabasePath, FileMode.Open))
        {
            Assert.True(stream.Length > 3 * 8192, "the healthy database should span more than three pages");
            stream.SetLength(2 * 8192);
        }

        AssertRecoveredFrom("reading it failed");
    }

    [Fact]
    public void A_file_shorter_than_a_page_is_moved_aside_rather_than_silently_reinitialised()
    {
        File.WriteAllBytes(_folder.DatabasePath, new byte[100]);
        AssertRecoveredFrom("not a whole number");
    }

    [Fact]
    public void A_file_that_is_not_a_litedb_file_is_moved_aside()
    {
        var garbage = new byte[16384];
        new Random(7).NextBytes(garbage);
        File.WriteAllBytes(_folder.DatabasePath, garbage);

        AssertRecoveredFrom("does not start with a LiteDB 5 header");
    }

    [Fact]
    public void A_damaged_data_page_is_found_by_reading_every_record()
    {
        WriteHealthyDatabase();
        var bytes = File.ReadAllBytes(_folder.DatabasePath);
        new Random(11).NextBytes(bytes.AsSpan(8192, bytes.Length - 8192));
        File.WriteAllBytes(_folder.DatabasePath, bytes);

        AssertRecoveredFrom("reading it failed");
    }

    [Fact]
    public void A_healthy_file_is_left_alone()
    {
        WriteHealthyDatabase();
        using var store = TuningStore.Open(new TuningStoreOptions(_folder.DatabasePath), _log);

        Assert.Empty(_log.Warnings);
        Assert.Single(store.GetMeasurements(Samples.H100(), Samples.Qwen3, [Samples.Marlin]));
        Assert.Empty(Directory.GetFiles(_folder.Path, "*.corrupt-*"));
    }

    [Fact]
    public void An_unwritable_location_is_a_clear_error()
    {
        // A path below a regular file cannot be created, even by root.
        File.WriteAllText(_folder.File("not-a-folder"), "");
        var path = Path.Combine(_folder.File("not-a-folder"), "tuning.db");

        var error = Assert.Throws<TuningStoreException>(() => TuningStore.Open(new TuningStoreOptions(path)));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be written", error.Message, StringComparison.Ordinal);
        Assert.Contains("MOETUNE_DB", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unwritable_location_can_fall_back_to_memory_with_a_warning()
    {
        File.WriteAllText(_folder.File("not-a-folder"), "");
        var path = Path.Combine(_folder.File("not-a-folder"), "tuning.db");

        using var store = TuningStore.Open(new TuningStoreOptions(path) { InMemoryWhenUnwritable = true }, _log);
        store.SaveMeasurement(Samples.Timed(Samples.Marlin));

        Assert.True(store.IsInMemory);
        Assert.Contains(_log.Warnings, w => w.Contains("in-memory store", StringComparison.Ordinal) && w.Contains(path, StringComparison.Ordinal));
        Assert.Single(store.GetMeasurements(Samples.H100(), Samples.Qwen3, [Samples.Marlin]));
    }

    [Fact]
    public void A_file_from_a_newer_moetune_is_refused_and_left_untouched()
    {
        using (var db = new LiteDatabase(_folder.DatabasePath))
        {
            db.UserVersion = TuningStore.SchemaVersion + 1;
        }

        var before = File.ReadAllBytes(_folder.DatabasePath);
        var error = Assert.Throws<TuningStoreException>(() => TuningStore.Open(new TuningStoreOptions(_folder.DatabasePath)));

        Assert.Contains("written by a newer MoeTune", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(_folder.DatabasePath));
    }

    [Fact]
    public void Another_programs_litedb_file_is_refused_not_overwritten()
    {
        using (var db = new LiteDatabase(_folder.DatabasePath))
        {
            db.GetCollection("customers").Insert(new BsonDocument { ["name"] = "Ada" });
        }

        var error = Assert.Throws<TuningStoreException>(() => TuningStore.Open(new TuningStoreOptions(_folder.DatabasePath)));
        Assert.Contains("not a tuning database", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lock_held_too_long_is_an_error_naming_the_lock()
    {
        using var store = TuningStore.Open(new TuningStoreOptions(_folder.DatabasePath) { LockTimeout = TimeSpan.FromMilliseconds(200) });
        using (new FileStream(_folder.DatabasePath + ".lock", FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            var error = Assert.Throws<TuningStoreException>(() => store.SaveMeasurement(Samples.Timed(Samples.Marlin)));
            Assert.Contains("another MoeTune process holds it", error.Message, StringComparison.Ordinal);
        }

        store.SaveMeasurement(Samples.Timed(Samples.Marlin));
    }

    [Fact]
    public void Two_stores_on_one_file_in_one_process_see_each_others_writes()
    {
        using var first = TuningStore.Open(new TuningStoreOptions(_folder.DatabasePath));
        using var second = TuningStore.Open(new TuningStoreOptions(_folder.DatabasePath));

        first.SaveMeasurement(Samples.Timed(Samples.Marlin));
        second.SaveMeasurement(Samples.Timed(Samples.Cutlass));

        Assert.Equal(2, first.GetMeasurements(Samples.H100(), Samples.Qwen3, [Samples.Marlin, Samples.Cutlass]).Count);
    }

    private void WriteHealthyDatabase()
    {
        using var store = TuningStore.Open(new TuningStoreOptions(_folder.DatabasePath));
        for (var i = 0; i < 20; i++)
        {
            store.SaveMeasurement(Samples.Timed(new PluginKey($"Backend{i}", "1", "h")));
        }

        store.SaveMeasurement(Samples.Timed(Samples.Marlin));
        store.SaveDecision(Samples.Decision());
    }

    private void AssertRecoveredFrom(string damage)
    {
        var damaged = File.ReadAllBytes(_folder.DatabasePath);
        using var store = TuningStore.Open(new TuningStoreOptions(_folder.DatabasePath) { Clock = new FixedClock(Samples.Noon) }, _log);

        var warning = Assert.Single(_log.Warnings);
        Assert.Contains(damage, warning, StringComparison.Ordinal);
        var movedAside = _folder.DatabasePath + ".corrupt-20260301T120000Z";
        Assert.Contains(movedAside, warning, StringComparison.Ordinal);
        Assert.Equal(damaged, File.ReadAllBytes(movedAside));
        Assert.Empty(store.GetMeasurements(Samples.H100(), Samples.Qwen3, [Samples.Marlin]));
        store.SaveMeasurement(Samples.Timed(Samples.Marlin));
        Assert.Single(store.GetMeasurements(Samples.H100(), Samples.Qwen3, [Samples.Marlin]));
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
