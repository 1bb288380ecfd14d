using System.Globalization;
using MoeTune.Engine.Selection;
using MoeTune.Tuning;
using MoeTune.TuningDb;
using Spectre.Console;

namespace MoeTune.Host.Rendering;

/// <summary>The candidate table <c>tune</c> and <c>explain</c> print: status, gate error, memory and the median per token bucket.</summary>
internal static class CandidateTable
{
    /// <param name="rows">Each candidate's status and, where one exists, its measurement.</param>
    /// <param name="buckets">The bucket columns to show.</param>
    /// <param name="extraColumns">Columns before the status (name → value per row), for example the backend's version.</param>
    public static Table Build(
        IReadOnlyList<(CandidateStatus Status, CandidateMeasurement? Measurement, IReadOnlyList<string> Extra)> rows,
        IReadOnlyList<int> buckets,
        IReadOnlyList<string> extraColumns)
    {
        var c = CultureInfo.InvariantCulture;
        var table = new Table().AddColumn("backend");
        foreach (var column in extraColumns)
        {
            table.AddColumn(Markup.Escape(column));
        }

        table.AddColumns("status", "gate error", "memory");
        foreach (var bucket in buckets)
        {
            table.AddColumn(new TableColumn(string.Create(c, $"T={bucket} µs")).RightAligned());
        }

        foreach (var (status, measurement, extra) in rows)
        {
            var cells = new List<string> { Markup.Escape(status.Name) };
            cells.AddRange(extra.Select(Markup.Escape));
            cells.Add(Markup.Escape(StatusText(status)));
            cells.Add(measurement?.CorrectnessError is { } e ? string.Create(c, $"{e:0.####}") : "-");
            cells.Add(measurement is { Outcome: CandidateOutcome.Ok } m ? Mebibytes(m.WeightBytes + m.WorkspaceBytes) : "-");
            cells.AddRange(buckets.Select(b => status.MedianMicroseconds.TryGetValue(b, out var median) ? string.Create(c, $"{median:0.#}") : "-"));
            table.AddRow([.. cells]);
        }

        return table;
    }

    public static string Mebibytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1 << 20):0.#} MiB");

    private static string StatusText(CandidateStatus status) => status.State switch
    {
        CandidateState.Timed => status.Detail.Length > 0 ? $"timed ({status.Detail})" : "timed",
        CandidateState.Supported => "supported",
        CandidateState.Unsupported => $"unsupported: {status.Detail}",
        CandidateState.Failed => $"failed: {status.Detail}",
        _ => status.State.ToString(),
    };
}
