using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace MoeTune.Engine.Autotuning.Probing;

/// <summary>
/// How a probe child talks to the tuner: the request is a JSON file; the child answers on standard output with lines
/// that start with <see cref="Marker"/> followed by one JSON <see cref="ProbeMessage"/> each: progress as it goes, then
/// one result or one error. Any other line is the plugin's or the runtime's own output, kept only to explain a crash.
/// </summary>
internal static class ProbeProtocol
{
    public const string Marker = "moetune-probe ";

    /// <summary>Strict, as for the store's records: an unknown field, a missing one or a wrong type is an error.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false) },
    };

    public static string Line(ProbeMessage message) => Marker + JsonSerializer.Serialize(message, Json);

    /// <summary>The message a line carries; null for a line that is not the protocol's; throws where a protocol line is malformed.</summary>
    /// <exception cref="JsonException">The line has the marker but not a message after it.</exception>
    public static ProbeMessage? Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (!line.StartsWith(Marker, StringComparison.Ordinal))
        {
            return null;
        }

        var message = JsonSerializer.Deserialize<ProbeMessage>(line.AsSpan(Marker.Length), Json)
            ?? throw new JsonException("the message is null");
        var parts = (message.Progress is null ? 0 : 1) + (message.Measurement is null ? 0 : 1) + (message.Error is null ? 0 : 1);
        return parts == 1 ? message : throw new JsonException("a message carries exactly one of progress, measurement and error");
    }

    public static void WriteRequest(string path, ProbeRequest request) => File.WriteAllText(path, JsonSerializer.Serialize(request, Json));

    /// <exception cref="InvalidDataException">The file is not a valid request; the message says what is wrong.</exception>
    public static ProbeRequest ReadRequest(string path)
    {
        ProbeRequest request;
        try
        {
            request = JsonSerializer.Deserialize<ProbeRequest>(File.ReadAllBytes(path), Json)
                ?? throw new InvalidDataException($"{path} holds null, not a probe request");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a probe request: {e.Message}", e);
        }

        return request.FirstError() is { } error ? throw new InvalidDataException($"{path}: {error}") : request;
    }
}

/// <summary>One line from a probe child: exactly one of its three parts is set.</summary>
internal sealed record ProbeMessage
{
    public ProbeProgress? Progress { get; init; }

    /// <summary>The candidate's measurement, as the store's JSON record (<see cref="TuningDb.MeasurementJson"/>).</summary>
    public JsonObject? Measurement { get; init; }

    /// <summary>Why the child could not measure at all (not the candidate's own failure, which is a measurement).</summary>
    public string? Error { get; init; }
}

/// <summary>The candidate's current step and how many of its steps are done, as <see cref="TuningProgress"/> has them.</summary>
internal sealed record ProbeProgress(string Activity, int StepsDone);
