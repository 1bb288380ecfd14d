using System.Globalization;

namespace MoeTune.Engine.Bench.Output;

/// <summary>How the tables print figures: fixed units per column, invariant culture, "—" for a missing value.</summary>
public static class BenchUnits
{
    public const string Missing = "—";

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Bytes per second as TB/s (10¹² bytes: the unit DESIGN.md's figures use).</summary>
    public static string TerabytesPerSecond(double? bytesPerSecond) => bytesPerSecond is { } v ? (v / 1e12).ToString("0.000", C) : Missing;

    /// <summary>FLOP per second as TFLOP/s.</summary>
    public static string Teraflops(double? flopsPerSecond) => flopsPerSecond is { } v ? (v / 1e12).ToString(v >= 1e13 ? "0.0" : "0.000", C) : Missing;

    /// <summary>Microseconds with precision that suits their size.</summary>
    public static string Microseconds(double? us) => us is { } v ? v.ToString(v >= 1000 ? "0" : v >= 10 ? "0.0" : "0.00", C) : Missing;

    /// <summary>A fraction as a percentage: 0.734 → "73.4%".</summary>
    public static string Percent(double? fraction) => fraction is { } v ? (v * 100).ToString("0.0", C) + "%" : Missing;

    /// <summary>A ratio to the best: 1.23 → "1.23×".</summary>
    public static string Ratio(double? ratio) => ratio is { } v ? v.ToString("0.00", C) + "×" : Missing;

    /// <summary>Bytes in GiB (memory sizes).</summary>
    public static string Gibibytes(long bytes) => (bytes / (double)(1L << 30)).ToString("0.00", C) + " GiB";
}
