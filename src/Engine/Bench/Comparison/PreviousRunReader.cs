using System.Globalization;
using System.Text.Json;
using MoeTune.Engine.Bench.Output;

namespace MoeTune.Engine.Bench.Comparison;

/// <summary>
/// Reads an earlier run's <c>bench.json</c> for <c>bench --compare</c>: only the fields a comparison uses (the GPU's
/// name, start time, command line, and each measured timing's key, median and quartiles), so that files written by
/// earlier versions of the report still compare. Every missing or mistyped field is an error naming the file and the
/// JSON path, raised before the new run measures anything.
/// </summary>
public static class PreviousRunReader
{
    /// <summary>The file <paramref name="path"/> stands for: itself, or the bench.json in it where it is a folder.</summary>
    public static string FileOf(string path) => Directory.Exists(path) ? Path.Combine(path, BenchJson.FileName) : path;

    /// <summary>Reads <paramref name="path"/>: a bench.json, or a folder holding one.</summary>
    /// <exception cref="FileNotFoundException">Neither the file nor a folder holding a bench.json exists.</exception>
    /// <exception cref="InvalidDataException">The file is not JSON or lacks a field; the message names the path in the file.</exception>
    public static ComparableRun Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var file = FileOf(path);
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"{file} does not exist; --compare takes an earlier run's {BenchJson.FileName} or its folder", file);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(file));
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{file} is not JSON: {ex.Message}", ex);
        }

        using (document)
        {
            try
            {
                return Parse(document.RootElement);
            }
            catch (FormatException ex)
            {
                throw new InvalidDataException($"{file} is not a bench.json: {ex.Message}", ex);
            }
        }
    }

    private static ComparableRun Parse(JsonElement root)
    {
        var environment = Field(root, "environment", JsonValueKind.Object, "$");
        var device = Field(environment, "device", JsonValueKind.Object, "$.environment");
        var startedText = Text(environment, "startedAt", "$.environment");
        if (!DateTimeOffset.TryParse(startedText, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var startedAt))
        {
            throw new FormatException($"$.environment.startedAt: '{startedText}' is not a date and time");
        }

        var points = new List<ComparablePoint>();
        var problems = Field(root, "problems", JsonValueKind.Array, "$");
        var p = 0;
        foreach (var problem in problems.EnumerateArray())
        {
            var at = $"$.problems[{p++}]";
            var label = $"{Text(problem, "model", at)} {Text(problem, "format", at)}";
            var shape = Text(problem, "shape", at);
            var b = 0;
            foreach (var backend in Field(problem, "backends", JsonValueKind.Array, at).EnumerateArray())
            {
                var backendAt = $"{at}.backends[{b++}]";
                var name = Text(backend, "backend", backendAt);
                var i = 0;
                foreach (var point in Field(backend, "points", JsonValueKind.Array, backendAt).EnumerateArray())
                {
                    var pointAt = $"{backendAt}.points[{i++}]";
                    if (Text(point, "status", pointAt) != "measured")
                    {
                        continue;
                    }

                    points.Add(Point(point, pointAt, label, shape, name));
                }
            }
        }

        return new ComparableRun(Text(device, "name", "$.environment.device"), startedAt, Text(environment, "commandLine", "$.environment"), points);
    }

    private static ComparablePoint Point(JsonElement point, string at, string label, string shape, string backend)
    {
        var modeText = Text(point, "mode", at);
        if (!TimingModes.TryParse(modeText, out var mode))
        {
            throw new FormatException($"{at}.mode: '{modeText}' is not a timing mode (graph, eager)");
        }

        var tokens = Field(point, "tokens", JsonValueKind.Number, at);
        if (!tokens.TryGetInt32(out var t) || t < 1)
        {
            throw new FormatException($"{at}.tokens: {tokens.GetRawText()} is not a token count");
        }

        var timing = Field(point, "timing", JsonValueKind.Object, at);
        var timingAt = $"{at}.timing";
        var median = Microseconds(timing, "medianMicroseconds", timingAt);
        var lower = Microseconds(timing, "lowerQuartileMicroseconds", timingAt);
        var upper = Microseconds(timing, "upperQuartileMicroseconds", timingAt);
        if (!(lower <= median && median <= upper))
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{timingAt}: quartiles {lower}–{upper} µs do not surround the median {median} µs"));
        }

        return new ComparablePoint(label, new PointKey(shape, backend, t, Text(point, "routing", at), mode), median, lower, upper);
    }

    private static JsonElement Field(JsonElement parent, string name, JsonValueKind kind, string at)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out var value))
        {
            throw new FormatException($"{at}.{name} is missing");
        }

        return value.ValueKind == kind ? value : throw new FormatException($"{at}.{name} is {value.ValueKind.ToString().ToLowerInvariant()}, not {kind.ToString().ToLowerInvariant()}");
    }

    private static string Text(JsonElement parent, string name, string at) => Field(parent, name, JsonValueKind.String, at).GetString()!;

    private static double Microseconds(JsonElement parent, string name, string at)
    {
        var value = Field(parent, name, JsonValueKind.Number, at).GetDouble();
        return double.IsFinite(value) && value > 0
            ? value
            : throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{at}.{name}: {value} µs is not a positive time"));
    }
}
