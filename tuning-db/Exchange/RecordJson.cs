using System.Text.Json;
using System.Text.Json.Serialization;

namespace MoeTune.TuningDb.Exchange;

/// <summary>
/// The one set of JSON options for records: strict, so that a missing field, a null where a value belongs, a wrong
/// type or an unknown field is an error with its JSON path rather than a default.
/// </summary>
internal static class RecordJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
