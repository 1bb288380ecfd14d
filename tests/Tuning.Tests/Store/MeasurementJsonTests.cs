using System.Text.Json.Nodes;
using MoeTune.Tuning.Tests.Store.Support;
using MoeTune.TuningDb;

namespace MoeTune.Tuning.Tests.Store;

/// <summary>One measurement as JSON between processes (a tuner's probe child and the tuner), under the import's rules.</summary>
public sealed class MeasurementJsonTests
{
    [Fact]
    public void A_measurement_reads_back_as_it_was_written()
    {
        var measurement = Samples.Timed(Samples.Marlin);

        var read = MeasurementJson.Parse(MeasurementJson.ToJson(measurement), "the probe's measurement");

        Assert.Equal(measurement with { Buckets = [] }, read with { Buckets = [] });
        Assert.Equal(measurement.Buckets, read.Buckets);
    }

    [Fact]
    public void A_failed_measurement_keeps_its_error()
    {
        var failed = Samples.Failed(Samples.Cutlass, "timed out after 60 s during 64 tokens");

        Assert.Equal(failed.Detail, MeasurementJson.Parse(MeasurementJson.ToJson(failed), "x").Detail);
    }

    [Theory]
    [InlineData("plugin", "backend", "../Evil", "the probe's measurement.plugin.backend: '../Evil' is not a backend name")]
    [InlineData(null, "weightBytes", "-1", "byte counts must not be negative")]
    [InlineData(null, "status", "\"fine\"", "the probe's measurement.status: 'fine' is not a status")]
    public void A_spoiled_measurement_is_refused_naming_the_field(string? section, string field, string json, string expected)
    {
        var node = MeasurementJson.ToJson(Samples.Timed(Samples.Marlin));
        var target = section is null ? node : node[section]!.AsObject();
        target[field] = JsonNode.Parse(json.StartsWith('"') || json.StartsWith('-') ? json : $"\"{json}\"");

        var error = Assert.Throws<TuningStoreException>(() => MeasurementJson.Parse(node, "the probe's measurement"));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_field_is_refused()
    {
        var node = MeasurementJson.ToJson(Samples.Timed(Samples.Marlin));
        node["loadFrom"] = "/tmp/evil.dll";

        Assert.Contains("loadFrom", Assert.Throws<TuningStoreException>(() => MeasurementJson.Parse(node, "x")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_inconsistent_measurement_is_not_written()
    {
        var bad = Samples.Timed(Samples.Marlin) with { Buckets = [] };

        Assert.Contains("an ok measurement needs at least one bucket", Assert.Throws<ArgumentException>(() => MeasurementJson.ToJson(bad)).Message, StringComparison.Ordinal);
    }
}
