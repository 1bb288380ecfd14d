using System.Text.Json;
using System.Text.Json.Nodes;
using MoeTune.TuningDb.Exchange;

namespace MoeTune.TuningDb;

/// <summary>
/// One measurement as the JSON record the store and export files hold, for passing it between processes: a tuner's
/// probe child reports its measurement this way, and the parent reads it back under the same strict rules as an
/// import (missing fields, wrong types, unknown fields, impossible values and non-backend names are refused).
/// </summary>
public static class MeasurementJson
{
    /// <summary>The measurement as a JSON object.</summary>
    public static JsonObject ToJson(CandidateMeasurement measurement)
    {
        ArgumentNullException.ThrowIfNull(measurement);
        if (measurement.FirstError() is { } error)
        {
            throw new ArgumentException($"an inconsistent measurement cannot be written: {error}", nameof(measurement));
        }

        return JsonSerializer.SerializeToNode(RecordMapper.ToRecord(measurement), RecordJson.Options)!.AsObject();
    }

    /// <summary>Reads a measurement written by <see cref="ToJson"/>.</summary>
    /// <param name="json">The record.</param>
    /// <param name="where">What the record is, for messages (for example "the probe's result").</param>
    /// <exception cref="TuningStoreException">The record is malformed; the message names <paramref name="where"/> and the field.</exception>
    public static CandidateMeasurement Parse(JsonNode? json, string where)
    {
        ArgumentNullException.ThrowIfNull(where);
        MeasurementRecord record;
        try
        {
            record = json.Deserialize<MeasurementRecord>(RecordJson.Options)
                ?? throw new TuningStoreException($"{where}: the record is null");
        }
        catch (JsonException e)
        {
            throw new TuningStoreException($"{where}: {e.Message}", e);
        }

        return RecordMapper.ToMeasurement(record, where);
    }
}
