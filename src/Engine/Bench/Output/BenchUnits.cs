using System.Globalization;

namespace MoeTune.Engine.Bench.Output;

/// <summary>How the tables print figures: fixed units per column, invariant culture, "—" for a missing value.</summary>
public static class BenchUnits
{
    public const string Missing = "—";

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Bytes per second as TB/s (10¹² bytes: the unit DESIGN.md's figures use).</summary>
    public static string TerabytesPerSecond(double? bytesPerSecond) => bytesPerSecond is { } v ? Significant(v / 1e12) : Missing;

    /// <summary>FLOP per second as TFLOP/s.</summary>
    public static string Teraflops(double? flopsPerSecond) => flopsPerSecond is { } v ? Significant(v / 1e12) : Missing;

    /// <summary>A ceiling's value with its unit: "3.06 TB/s", "687 TFLOP/s", or "—".</summary>
    public static string Rate(Ceilings.Ceiling ceiling)
    {
        ArgumentNullException.ThrowIfNull(ceiling);
        return ceiling.PerSecond is null ? Missing
            : ceiling.Unit == "B/s" ? TerabytesPerSecond(ceiling.PerSecond) + " TB/s"
            : Teraflops(ceiling.PerSecond) + " TFLOP/s";
    }

    /// <summary>What a ceiling kind is, in words.</summary>
    public static string Label(Ceilings.CeilingKind kind) => kind switch
    {
        Ceilings.CeilingKind.ReadBandwidth => "read bandwidth",
        Ceilings.CeilingKind.CopyBandwidth => "copy bandwidth",
        Ceilings.CeilingKind.Bf16MatrixRate => "dense bf16 rate",
        Ceilings.CeilingKind.Fp8MatrixRate => "dense FP8 rate",
        _ => kind.ToString(),
    };

    /// <summary>Microseconds with precision that suits their size.</summary>
    public static string Microseconds(double? us) => us is { } v ? v.ToString(v >= 1000 ? "0" : v >= 10 ? "0.0" : "0.00", C) : Missing;

    /// <summary>A fraction as a percentage: 0.734 → "73.4%".</summary>
    public static string Percent(double? fraction) => fraction is { } v ? (v * 100).ToString("0.0", C) + "%" : Missing;

    /// <summary>A ratio to the best: 1.23 → "1.23×".</summary>
    public static string Ratio(double? ratio) => ratio is { } v ? v.ToString("0.00", C) + "×" : Missing;

    /// <summary>About three significant digits: 687, 3.06, 0.503; below 0.01 (CPU stand-ins) in E notation, 2.03E-3.</summary>
    private static string Significant(double v)
    {
        var magnitude = Math.Abs(v);
        var format = magnitude >= 100 ? "0" : magnitude >= 10 ? "0.0" : magnitude >= 1 ? "0.00" : magnitude >= 0.01 ? "0.000" : v == 0 ? "0" : "0.##E+0";
        return v.ToString(format, C);
    }

    /// <summary>Bytes in GiB (memory sizes).</summary>
    public static string Gibibytes(long bytes) => (bytes / (double)(1L << 30)).ToString("0.00", C) + " GiB";
}
