using System.Diagnostics;
using MoeTune.Tuning.Tests.Store.Support;
using MoeTune.TuningDb;

namespace MoeTune.Tuning.Tests.Store;

/// <summary>Two real processes writing one database file at once.</summary>
public sealed class ConcurrencyTests : IDisposable
{
    private const int PerWriter = 30;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Two_processes_writing_at_once_both_finish_and_every_record_reads_back()
    {
        var path = _folder.DatabasePath;
        TuningStore.Open(new TuningStoreOptions(path)).Dispose();
        using var a = StoreWriterProcess.Start(path, "Alpha", PerWriter);
        using var b = StoreWriterProcess.Start(path, "Beta", PerWriter);

        await WaitUntilReady(path, (a, "Alpha"), (b, "Beta"));
        await File.WriteAllTextAsync(StoreWriterProcess.GoFile(path), "", TestContext.Current.CancellationToken);
        await Finish(a, "Alpha");
        await Finish(b, "Beta");

        using var store = TuningStore.Open(new TuningStoreOptions(path));
        var everyone = Enumerable.Range(0, PerWriter).SelectMany(i => new[] { $"Alpha{i}", $"Beta{i}" })
            .Select(name => new PluginKey(name, "1.0.0", "h")).ToArray();
        var read = store.GetMeasurements(Samples.H100(), Samples.Qwen3, everyone);
        Assert.Equal(everyone.Select(p => p.Backend).Order(StringComparer.Ordinal), read.Select(m => m.Plugin.Backend));
    }

    private static async Task WaitUntilReady(string path, params (Process Writer, string Tag)[] writers)
    {
        var waited = Stopwatch.StartNew();
        while (!writers.All(w => File.Exists(StoreWriterProcess.ReadyFile(path, w.Tag))))
        {
            foreach (var (writer, tag) in writers.Where(w => w.Writer.HasExited))
            {
                await Finish(writer, tag);
            }

            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), "the writer processes did not get ready within 60 s");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    private static async Task Finish(Process writer, string tag)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var errors = writer.StandardError.ReadToEndAsync(timeout.Token);
        await writer.WaitForExitAsync(timeout.Token);
        Assert.True(writer.ExitCode == 0, $"writer {tag} exited with {writer.ExitCode}: {await errors}");
    }
}
