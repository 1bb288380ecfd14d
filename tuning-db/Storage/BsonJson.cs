using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LiteDB;

namespace MoeTune.TuningDb.Storage;

/// <summary>
/// Converts between System.Text.Json trees and LiteDB's BSON values, so that stored records share the export's JSON
/// shapes and its validation. Integral numbers become Int64 and others Double; both read back as the same JSON number.
/// </summary>
internal static class BsonJson
{
    public static BsonValue ToBson(JsonNode? node) => node switch
    {
        null => BsonValue.Null,
        JsonObject o => new BsonDocument(o.ToDictionary(p => p.Key, p => ToBson(p.Value))),
        JsonArray a => new BsonArray(a.Select(ToBson)),
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => new BsonValue(v.GetValue<string>()),
            JsonValueKind.True => new BsonValue(true),
            JsonValueKind.False => new BsonValue(false),
            JsonValueKind.Number when v.TryGetValue<long>(out var l) => new BsonValue(l),
            JsonValueKind.Number => new BsonValue(v.GetValue<double>()),
            var kind => throw new InvalidOperationException($"cannot store a JSON {kind}"),
        },
        _ => throw new InvalidOperationException($"cannot store a {node.GetType().Name}"),
    };

    public static JsonNode? ToJson(BsonValue value) => value.Type switch
    {
        BsonType.Null => null,
        BsonType.Document => new JsonObject(value.AsDocument.Select(p => KeyValuePair.Create(p.Key, ToJson(p.Value)))),
        BsonType.Array => new JsonArray(value.AsArray.Select(ToJson).ToArray()),
        BsonType.String => JsonValue.Create(value.AsString),
        BsonType.Boolean => JsonValue.Create(value.AsBoolean),
        BsonType.Int32 => JsonValue.Create(value.AsInt32),
        BsonType.Int64 => JsonValue.Create(value.AsInt64),
        BsonType.Double => JsonValue.Create(value.AsDouble),
        var type => throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"a stored record holds a BSON {type}, which records never contain")),
    };

    /// <summary>A record as the BSON document stored inside an envelope.</summary>
    public static BsonDocument ToDocument<T>(T record) => ToBson(System.Text.Json.JsonSerializer.SerializeToNode(record, Exchange.RecordJson.Options)).AsDocument;

    /// <summary>The record inside an envelope, read with the strict record options; a shape error names <paramref name="where"/>.</summary>
    public static T FromDocument<T>(BsonValue document, string where)
    {
        try
        {
            return ToJson(document).Deserialize<T>(Exchange.RecordJson.Options)
                ?? throw new TuningStoreException($"{where}: the record is null");
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            throw new TuningStoreException($"{where}: {e.Message}", e);
        }
    }
}
