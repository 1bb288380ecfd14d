using System.Globalization;
using System.Text.Json;
using MoeTune.Abstractions.Problems;

namespace MoeTune.TuningDb.Exchange;

/// <summary>The validated content of an export file, ready to merge.</summary>
internal sealed record ImportBatch(
    IReadOnlyList<(MoeShape Shape, IReadOnlyList<string> Labels)> Problems,
    IReadOnlyList<CandidateMeasurement> Measurements,
    IReadOnlyList<TuningDecision> Decisions);

/// <summary>
/// Reads an export file and validates all of it before anything is stored: the schema version first (an unknown one is
/// refused before its content is interpreted), then the shapes (missing fields, wrong types, unknown fields), then
/// every value. Backends are only ever names; nothing in a file is loaded or run.
/// </summary>
internal static class ExportReader
{
    /// <summary>Larger files are refused unread: a tuning export is kilobytes to a few megabytes.</summary>
    public const long MaxBytes = 64L << 20;

    public static ImportBatch Read(Stream source, string sourceName)
    {
        var bytes = ReadBounded(source, sourceName);
        CheckSchemaVersion(bytes, sourceName);
        ExportFile file;
        try
        {
            file = JsonSerializer.Deserialize<ExportFile>(bytes, RecordJson.Options)
                ?? throw new TuningStoreException($"{sourceName}: the file holds null, not an export");
        }
        catch (JsonException e)
        {
            throw new TuningStoreException($"{sourceName}: {e.Message}", e);
        }

        return new ImportBatch(
            RecordMapper.Each(file.Problems, $"{sourceName}: $.problems", RecordMapper.ToProblem),
            RecordMapper.Each(file.Measurements, $"{sourceName}: $.measurements", RecordMapper.ToMeasurement),
            RecordMapper.Each(file.Decisions, $"{sourceName}: $.decisions", RecordMapper.ToDecision));
    }

    private static byte[] ReadBounded(Stream source, string sourceName)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = source.Read(chunk)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBytes)
            {
                throw new TuningStoreException(string.Create(CultureInfo.InvariantCulture, $"{sourceName}: larger than {MaxBytes >> 20} MiB; not a tuning export"));
            }
        }

        return buffer.ToArray();
    }

    private static void CheckSchemaVersion(byte[] bytes, string sourceName)
    {
        JsonElement version;
        try
        {
            using var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new TuningStoreException($"{sourceName}: the file holds a JSON {document.RootElement.ValueKind}, not an export object");
            }

            if (!document.RootElement.TryGetProperty("schemaVersion", out version))
            {
                throw new TuningStoreException($"{sourceName}: $.schemaVersion is missing; not a MoeTune tuning export");
            }

            version = version.Clone();
        }
        catch (JsonException e)
        {
            throw new TuningStoreException($"{sourceName}: not valid JSON: {e.Message}", e);
        }

        if (version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var number))
        {
            throw new TuningStoreException($"{sourceName}: $.schemaVersion must be a whole number, got {version.GetRawText()}");
        }

        if (number != TuningStore.SchemaVersion)
        {
            throw new TuningStoreException(string.Create(
                CultureInfo.InvariantCulture,
                $"{sourceName}: schema version {number} is not supported; this MoeTune reads schema {TuningStore.SchemaVersion}. Export again with a matching MoeTune."));
        }
    }
}
