using System.Globalization;
using System.Text.Json;

namespace MoeTune.Models.Config;

/// <summary>
/// Typed access to one JSON object of a config file, whose errors name the file and the field's full path
/// (<c>text_config.hidden_size</c>). A field set to <c>null</c> counts as absent, as it does for transformers.
/// </summary>
internal sealed class ConfigReader
{
    private readonly JsonElement _element;
    private readonly string _prefix;

    private ConfigReader(JsonElement element, string file, string prefix)
    {
        _element = element;
        File = file;
        _prefix = prefix;
    }

    /// <summary>The file the object was read from.</summary>
    public string File { get; }

    /// <summary>Parses <paramref name="file"/> as a JSON object.</summary>
    public static ConfigReader Load(string file)
    {
        byte[] bytes;
        try
        {
            bytes = System.IO.File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelConfigException(file, "(file)", $"cannot be read: {e.Message}", e);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw new ModelConfigException(file, "(file)", $"is not valid JSON: {e.Message}", e);
        }

        // The document is small and lives as long as the reader; cloning the root frees the pooled buffers now.
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ModelConfigException(file, "(file)", $"must hold a JSON object, not {document.RootElement.ValueKind}");
            }

            return new ConfigReader(document.RootElement.Clone(), file, "");
        }
    }

    /// <summary>The full path of <paramref name="name"/> in the file.</summary>
    public string PathOf(string name) => _prefix + name;

    public ModelConfigException Error(string name, string problem) => new(File, PathOf(name), problem);

    public bool Has(string name) => TryGet(name, out _);

    public int RequirePositiveInt(string name) =>
        OptionalPositiveInt(name) ?? throw Error(name, "is missing");

    public int? OptionalPositiveInt(string name)
    {
        var value = OptionalInt(name);
        if (value is <= 0) throw Error(name, Invariant($"must be positive, got {value}"));
        return value;
    }

    public int? OptionalNonNegativeInt(string name)
    {
        var value = OptionalInt(name);
        if (value is < 0) throw Error(name, Invariant($"must not be negative, got {value}"));
        return value;
    }

    public int? OptionalInt(string name)
    {
        if (!TryGet(name, out var value)) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || number != Math.Floor(number)
            || number < int.MinValue || number > int.MaxValue)
        {
            throw Error(name, $"must be an integer, got {value.GetRawText()}");
        }

        return (int)number;
    }

    public double? OptionalDouble(string name)
    {
        if (!TryGet(name, out var value)) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            throw Error(name, $"must be a finite number, got {value.GetRawText()}");
        }

        return number;
    }

    public bool? OptionalBool(string name)
    {
        if (!TryGet(name, out var value)) return null;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(name, $"must be true or false, got {value.GetRawText()}"),
        };
    }

    public string? OptionalString(string name)
    {
        if (!TryGet(name, out var value)) return null;
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw Error(name, $"must be a string, got {value.GetRawText()}");
    }

    public IReadOnlyList<string> OptionalStrings(string name) => OptionalArray(name, JsonValueKind.String, e => e.GetString()!);

    public IReadOnlyList<int> OptionalInts(string name) => OptionalArray(name, JsonValueKind.Number, e =>
        e.TryGetInt32(out var n) ? n : throw Error(name, $"must hold integers, got {e.GetRawText()}"));

    /// <summary>The nested object <paramref name="name"/>, or null where it is absent.</summary>
    public ConfigReader? OptionalSection(string name)
    {
        if (!TryGet(name, out var value)) return null;
        return value.ValueKind == JsonValueKind.Object
            ? new ConfigReader(value, File, PathOf(name) + ".")
            : throw Error(name, $"must be an object, got {value.ValueKind}");
    }

    /// <summary>The names of the object's own fields.</summary>
    public IEnumerable<string> FieldNames => _element.EnumerateObject().Select(p => p.Name);

    private List<T> OptionalArray<T>(string name, JsonValueKind kind, Func<JsonElement, T> read)
    {
        if (!TryGet(name, out var value)) return [];
        if (value.ValueKind != JsonValueKind.Array) throw Error(name, $"must be an array, got {value.ValueKind}");
        var items = new List<T>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != kind) throw Error(name, $"must hold only {kind} values, got {item.GetRawText()}");
            items.Add(read(item));
        }

        return items;
    }

    private bool TryGet(string name, out JsonElement value) =>
        _element.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
