using System.Text;
using System.Text.Json.Nodes;
using MoeTune.Tuning.Tests.Store.Support;
using MoeTune.TuningDb;

namespace MoeTune.Tuning.Tests.Store;

/// <summary>JSON export and import: round trips, newer-wins merging, and rejection of bad files.</summary>
public sealed class ExchangeTests
{
    private static readonly IReadOnlyCollection<PluginKey> Plugins = [Samples.Marlin, Samples.Cutlass];

    [Fact]
    public void Export_then_import_into_an_empty_store_reproduces_every_record()
    {
        using var source = Populated();
        using var target = TuningStore.OpenInMemory();

        var summary = target.Import(new MemoryStream(Export(source)), "fleet.json");

        Assert.Equal(new ImportSummary(Problems: 1, Measurements: 2, Decisions: 1, SkippedAsOlder: 0), summary);
        Assert.Equal(
            source.GetMeasurements(Samples.H100(), Samples.Qwen3, Plugins).Select(m => m with { Buckets = [] }),
            target.GetMeasurements(Samples.H100(), Samples.Qwen3, Plugins).Select(m => m with { Buckets = [] }));
        Assert.Equal(
            source.GetMeasurements(Samples.H100(), Samples.Qwen3, Plugins).SelectMany(m => m.Buckets),
            target.GetMeasurements(Samples.H100(), Samples.Qwen3, Plugins).SelectMany(m => m.Buckets));
        var decision = target.GetDecision(Samples.H100(), Samples.Qwen3, TuningObjective.Latency, Plugins);
        Assert.Equal(Samples.Decision().Plan, decision!.Decision.Plan);
        Assert.Equal(Samples.Decision().Provenance, decision.Decision.Provenance);
        Assert.Equal(["qwen3-30b-a3b"], target.GetProblems().Single().Labels);
    }

    [Fact]
    public void The_export_states_its_schema_version_and_who_exported_it()
    {
        using var store = Populated();
        var json = JsonNode.Parse(Export(store))!;

        Assert.Equal(TuningStore.SchemaVersion, (int)json["schemaVersion"]!);
        Assert.Equal("0.1.0-test", (string)json["toolVersion"]!);
        Assert.NotNull(json["exportedAt"]);
        Assert.Equal("12.8", (string)json["decisions"]![0]!["provenance"]!["driverVersion"]!);
        Assert.DoesNotContain("gpu-node-7", json.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Import_keeps_the_newer_of_two_records()
    {
        using var store = TuningStore.OpenInMemory();
        store.SaveMeasurement(Samples.Timed(Samples.Marlin, micros: 50, at: Samples.Noon.AddDays(1)));
        store.SaveMeasurement(Samples.Timed(Samples.Cutlass, micros: 50, at: Samples.Noon.AddDays(-1)));

        using var fleet = Populated();
        var summary = store.Import(new MemoryStream(Export(fleet)), "fleet.json");

        Assert.Equal(1, summary.SkippedAsOlder);
        var medians = store.GetMeasurements(Samples.H100(), Samples.Qwen3, Plugins).ToDictionary(m => m.Plugin.Backend, m => m.ToCandidateResult().MedianMicroseconds[1]);
        Assert.Equal(50, medians["Marlin"], 9);
        Assert.Equal(100, medians["FlashInferCutlass"], 9);
    }

    [Theory]
    [InlineData("measurements", "driverVersion", "driverVersion")]
    [InlineData("decisions", "provenance", "provenance")]
    [InlineData("measurements", "plugin", "plugin")]
    public void A_missing_field_is_named(string list, string field, string expected)
    {
        var error = Reject(json => json[list]![0]!.AsObject().Remove(field));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_type_is_named_by_its_path()
    {
        var error = Reject(json => json["measurements"]![0]!["weightBytes"] = "three gigabytes");
        Assert.Contains("$.measurements[0].weightBytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_where_a_value_belongs_is_refused()
    {
        var error = Reject(json => json["measurements"]![0]!["toolVersion"] = null);
        Assert.Contains("toolVersion", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_field_is_refused() =>
        Assert.Contains("loadFrom", Reject(json => json["decisions"]![0]!["loadFrom"] = "/tmp/x.dll").Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("../../plugins/Evil")]
    [InlineData("/usr/lib/libevil.so")]
    [InlineData("C:\\Windows\\evil.dll")]
    [InlineData("Evil.dll/../x")]
    public void A_path_in_a_backend_name_is_refused(string name)
    {
        var error = Reject(json => json["measurements"]![0]!["plugin"]!["backend"] = name);
        Assert.Contains("$.measurements[0].plugin.backend", error.Message, StringComparison.Ordinal);
        Assert.Contains("not a backend name", error.Message, StringComparison.Ordinal);

        error = Reject(json => json["decisions"]![0]!["plan"]![1]!["backend"] = name);
        Assert.Contains("$.decisions[0].plan[1].backend", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("$.measurements[0].plugin")]
    [InlineData("$.decisions[0].plan[0]")]
    [InlineData("$.decisions[0].runnerUp[0]")]
    [InlineData("$.decisions[0].plugins[1]")]
    public void A_file_names_backends_only_never_a_path_to_load_wherever_a_backend_is_named(string holder)
    {
        // Trust (issue 8): an imported file can name backends, which must already be loaded from the trusted plugin
        // folders; a path or anything else that could be taken for code to load is refused.
        foreach (var name in new[] { "../../plugins/Evil", "/tmp/evil.dll", "C:\\evil", "\\\\server\\share", "evil so" })
        {
            var error = Reject(json => BackendHolder(json, holder)["backend"] = name);

            Assert.Contains($"{holder}.backend", error.Message, StringComparison.Ordinal);
            Assert.Contains("is not a backend name", error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(1)]
    public void An_unknown_schema_version_is_refused_clearly(int version)
    {
        var error = Reject(json => json["schemaVersion"] = version);
        Assert.Contains($"schema version {version} is not supported; this MoeTune reads schema {TuningStore.SchemaVersion}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_without_a_schema_version_is_not_an_export() =>
        Assert.Contains("$.schemaVersion is missing", Reject(json => json.AsObject().Remove("schemaVersion")).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("status", "done", "is not a status")]
    [InlineData("problem", "moe1;E=8", "not a canonical MoE shape")]
    [InlineData("measuredAt", "yesterday", "measuredAt")]
    public void Invalid_values_are_named(string field, string value, string expected)
    {
        var error = Reject(json => json["measurements"]![0]![field] = value);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Impossible_timings_are_refused_with_their_bucket() =>
        Assert.Contains("$.measurements[0].buckets[0]", Reject(json => json["measurements"]![0]!["buckets"]![0]!["samplesMicroseconds"]![0] = -5).Message, StringComparison.Ordinal);

    [Fact]
    public void A_host_name_where_a_hash_belongs_is_refused() =>
        Assert.Contains("hostHash", Reject(json => json["decisions"]![0]!["provenance"]!["hostHash"] = "alice-laptop").Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("not json at all", "not valid JSON")]
    [InlineData("[1, 2]", "not an export object")]
    public void Something_else_than_an_export_is_refused(string content, string expected)
    {
        using var store = TuningStore.OpenInMemory();
        var error = Assert.Throws<TuningStoreException>(() => store.Import(new MemoryStream(Encoding.UTF8.GetBytes(content)), "x.json"));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("x.json: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rejected_file_changes_nothing()
    {
        using var fleet = Populated();
        var json = JsonNode.Parse(Export(fleet))!;
        json["decisions"]![0]!["objective"] = "fastest";
        using var store = TuningStore.OpenInMemory();

        Assert.Throws<TuningStoreException>(() => store.Import(new MemoryStream(Encoding.UTF8.GetBytes(json.ToJsonString())), "bad.json"));

        Assert.Empty(store.GetMeasurements(Samples.H100(), Samples.Qwen3, Plugins));
        Assert.Empty(store.GetProblems());
    }

    private static JsonNode BackendHolder(JsonNode json, string holder) => holder switch
    {
        "$.measurements[0].plugin" => json["measurements"]![0]!["plugin"]!,
        "$.decisions[0].plan[0]" => json["decisions"]![0]!["plan"]![0]!,
        "$.decisions[0].runnerUp[0]" => json["decisions"]![0]!["runnerUp"]![0]!,
        "$.decisions[0].plugins[1]" => json["decisions"]![0]!["plugins"]![1]!,
        _ => throw new ArgumentOutOfRangeException(nameof(holder), holder, "no such place in the sample export"),
    };

    private static TuningStore Populated()
    {
        var store = TuningStore.OpenInMemory();
        store.AddProblemLabel(Samples.Qwen3, "qwen3-30b-a3b");
        store.SaveMeasurement(Samples.Timed(Samples.Marlin));
        store.SaveMeasurement(Samples.Timed(Samples.Cutlass));
        store.SaveDecision(Samples.Decision());
        return store;
    }

    private static byte[] Export(TuningStore store)
    {
        using var stream = new MemoryStream();
        store.Export(stream, "0.1.0-test", Samples.Noon);
        return stream.ToArray();
    }

    /// <summary>Exports a populated store, spoils the file with <paramref name="spoil"/>, and returns the import's rejection.</summary>
    private static TuningStoreException Reject(Action<JsonNode> spoil)
    {
        using var fleet = Populated();
        var json = JsonNode.Parse(Export(fleet))!;
        spoil(json);
        using var store = TuningStore.OpenInMemory();
        return Assert.Throws<TuningStoreException>(() => store.Import(new MemoryStream(Encoding.UTF8.GetBytes(json.ToJsonString())), "spoiled.json"));
    }
}
