using MoeTune.Engine.Bench;
using MoeTune.Engine.Bench.Comparison;
using MoeTune.Engine.Tests.Support;

namespace MoeTune.Engine.Tests.Bench;

/// <summary>
/// Reading an earlier bench.json: the fields a comparison needs, as bench writes them (BenchCommandTests reads a real
/// run's file), and errors that name the file and the JSON path of what is wrong.
/// </summary>
public sealed class PreviousRunReaderTests : IDisposable
{
    private const string Valid = """
        {
          "environment": { "commandLine": "moetune bench --out x", "startedAt": "2026-11-27T19:42:00+00:00", "device": { "name": "NVIDIA H100 80GB HBM3" } },
          "problems": [ {
            "model": "qwen3-30b-a3b", "format": "nvfp4", "shape": "moe1;fmt=nvfp4",
            "backends": [
              { "backend": "TrtLlm", "points": [] },
              { "backend": "Marlin", "points": [
                { "tokens": 1, "routing": "uniform", "mode": "graph", "status": "measured",
                  "timing": { "medianMicroseconds": 28.5, "lowerQuartileMicroseconds": 28.4, "upperQuartileMicroseconds": 28.7 } },
                { "tokens": 4, "routing": "uniform", "mode": "graph", "status": "failed", "detail": "boom", "timing": null }
              ] }
            ]
          } ]
        }
        """;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Reads_the_device_the_run_and_its_measured_points_only()
    {
        var run = PreviousRunReader.Read(Write(Valid));

        Assert.Equal("NVIDIA H100 80GB HBM3", run.Device);
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 19, 42, 0, TimeSpan.Zero), run.StartedAt);
        Assert.Equal("moetune bench --out x", run.CommandLine);
        var point = Assert.Single(run.Points);
        Assert.Equal(new ComparablePoint("qwen3-30b-a3b nvfp4", new PointKey("moe1;fmt=nvfp4", "Marlin", 1, "uniform", TimingMode.Graph), 28.5, 28.4, 28.7), point);
    }

    [Fact]
    public void A_folder_holding_a_bench_json_is_read_too()
    {
        var file = Write(Valid);

        Assert.Single(PreviousRunReader.Read(Path.GetDirectoryName(file)!).Points);
    }

    [Fact]
    public void A_missing_file_is_an_error_naming_it()
    {
        var missing = _temp.Combine("nowhere", "bench.json");

        var error = Assert.Throws<FileNotFoundException>(() => PreviousRunReader.Read(missing));

        Assert.StartsWith($"{missing} does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_json_is_an_error_naming_it()
    {
        var file = Write("# MoeTune bench\n| not | json |");

        var error = Assert.Throws<InvalidDataException>(() => PreviousRunReader.Read(file));

        Assert.StartsWith($"{file} is not JSON", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"device\": { \"name\": \"NVIDIA H100 80GB HBM3\" }", "\"device\": {}", "$.environment.device.name is missing")]
    [InlineData("\"shape\": \"moe1;fmt=nvfp4\",", "", "$.problems[0].shape is missing")]
    [InlineData("\"tokens\": 1,", "\"tokens\": \"one\",", "$.problems[0].backends[1].points[0].tokens is string, not number")]
    [InlineData("\"mode\": \"graph\", \"status\": \"measured\"", "\"mode\": \"warp\", \"status\": \"measured\"", "$.problems[0].backends[1].points[0].mode: 'warp' is not a timing mode (graph, eager)")]
    [InlineData("\"medianMicroseconds\": 28.5", "\"medianMicroseconds\": 0", "$.problems[0].backends[1].points[0].timing.medianMicroseconds: 0 µs is not a positive time")]
    [InlineData("\"lowerQuartileMicroseconds\": 28.4", "\"lowerQuartileMicroseconds\": 29", "$.problems[0].backends[1].points[0].timing: quartiles 29–28.7 µs do not surround the median 28.5 µs")]
    [InlineData("\"startedAt\": \"2026-11-27T19:42:00+00:00\"", "\"startedAt\": \"yesterday\"", "$.environment.startedAt: 'yesterday' is not a date and time")]
    public void A_malformed_file_is_an_error_naming_the_file_and_the_field(string field, string replacement, string expected)
    {
        Assert.Contains(field, Valid, StringComparison.Ordinal);
        var file = Write(Valid.Replace(field, replacement, StringComparison.Ordinal));

        var error = Assert.Throws<InvalidDataException>(() => PreviousRunReader.Read(file));

        Assert.Equal($"{file} is not a bench.json: {expected}", error.Message);
    }

    private string Write(string json)
    {
        var folder = _temp.Combine(Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "bench.json");
        File.WriteAllText(file, json);
        return file;
    }
}
