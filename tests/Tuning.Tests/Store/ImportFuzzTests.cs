using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using MoeTune.Fixtures.Fuzzing;
using MoeTune.Tuning.Tests.Store.Support;
using MoeTune.TuningDb;

namespace MoeTune.Tuning.Tests.Store;

/// <summary>
/// Property: an export file spoiled anywhere (a field removed, a value of another type or impossible, an unknown
/// field, the text cut short) is either imported whole or refused whole with a <see cref="TuningStoreException"/>;
/// never another exception, never half a file.
/// </summary>
public sealed class ImportFuzzTests
{
    [Fact]
    public void A_spoiled_export_is_imported_whole_or_refused_whole()
    {
        using var source = TuningStore.OpenInMemory();
        source.AddProblemLabel(Samples.Qwen3, "qwen3-30b-a3b");
        source.SaveMeasurement(Samples.Timed(Samples.Marlin));
        source.SaveMeasurement(Samples.Failed(Samples.Cutlass, "crashed: SIGSEGV during correctness gate"));
        source.SaveDecision(Samples.Decision());
        using var exported = new MemoryStream();
        source.Export(exported, "0.1.0-test", Samples.Noon);
        var valid = JsonNode.Parse(exported.ToArray())!;

        JsonMutation.Spoiled(valid).Sample(text =>
        {
            using var store = TuningStore.OpenInMemory();
            try
            {
                store.Import(new MemoryStream(Encoding.UTF8.GetBytes(text)), "spoiled.json");
            }
            catch (TuningStoreException e)
            {
                Assert.StartsWith("spoiled.json", e.Message, StringComparison.Ordinal);
                Assert.Empty(store.GetProblems());
                Assert.Empty(store.GetMeasurements(Samples.H100(), Samples.Qwen3, [Samples.Marlin, Samples.Cutlass]));
                return;
            }

            // Taken: what was stored is valid, so it exports and imports again.
            using var again = new MemoryStream();
            store.Export(again, "0.1.0-test", Samples.Noon);
            TuningStore.OpenInMemory().Import(new MemoryStream(again.ToArray()), "again.json");
        }, iter: 300);
    }
}
