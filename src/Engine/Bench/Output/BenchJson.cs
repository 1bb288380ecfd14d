using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using MoeTune.Engine.Bench.Report;

namespace MoeTune.Engine.Bench.Output;

/// <summary>
/// The report as JSON: every sample of every timing, every floor and ceiling, the regret table and the environment,
/// camel-case names and enums as text, so that scripts can recompute anything the tables show.
/// </summary>
public static class BenchJson
{
    public const string FileName = "bench.json";

    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,

        // A file for people and scripts, never embedded in HTML: keep µ, ±, < and + readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Serialize(BenchReport report) => JsonSerializer.Serialize(report, Options);

    /// <summary>The report a run wrote to <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException">The file is missing or is not a bench.json; the message names the file.</exception>
    public static BenchReport Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new ArgumentException($"{path} does not exist");
        }

        try
        {
            return JsonSerializer.Deserialize<BenchReport>(File.ReadAllText(path), Options)
                ?? throw new ArgumentException($"{path} holds null, not a bench report");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{path} is not a bench.json: {e.Message}", e);
        }
    }

    /// <summary>Writes <see cref="FileName"/> in <paramref name="directory"/>; returns its path.</summary>
    public static string Write(BenchReport report, string directory)
    {
        var path = Path.Combine(directory, FileName);
        File.WriteAllText(path, Serialize(report));
        return path;
    }
}
