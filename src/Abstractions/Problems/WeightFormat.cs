namespace MoeTune.Abstractions.Problems;

/// <summary>How expert weights are stored. DESIGN.md "Number formats" defines each bit for bit.</summary>
public enum WeightFormat
{
    /// <summary>bfloat16, two bytes per element, little-endian.</summary>
    Bf16,

    /// <summary>FP8 E4M3 ("fn"), one byte per element, with one FP32 dequantisation scale per matrix.</summary>
    Fp8,

    /// <summary>E2M1 elements, one E4M3 scale per 16 elements along K, one FP32 global scale per matrix.</summary>
    Nvfp4,

    /// <summary>E2M1 elements, one E8M0 scale per 32 elements along K.</summary>
    Mxfp4,
}

/// <summary>Canonical lower-case names of <see cref="WeightFormat"/>, used in text forms, the CLI and the store.</summary>
public static class WeightFormats
{
    public static IReadOnlyList<WeightFormat> All { get; } = [WeightFormat.Bf16, WeightFormat.Fp8, WeightFormat.Nvfp4, WeightFormat.Mxfp4];

    public static string ToName(this WeightFormat format) => format switch
    {
        WeightFormat.Bf16 => "bf16",
        WeightFormat.Fp8 => "fp8",
        WeightFormat.Nvfp4 => "nvfp4",
        WeightFormat.Mxfp4 => "mxfp4",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown weight format"),
    };

    public static bool TryParse(string? text, out WeightFormat format)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.ToName(), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                format = candidate;
                return true;
            }
        }

        format = default;
        return false;
    }

    public static WeightFormat Parse(string text) => TryParse(text, out var f)
        ? f
        : throw new FormatException($"unknown weight format '{text}'; valid: {string.Join(", ", All.Select(x => x.ToName()))}");

    /// <summary>Elements that share one scale along K (1 where the format has no block scale).</summary>
    public static int BlockSize(this WeightFormat format) => format switch
    {
        WeightFormat.Nvfp4 => 16,
        WeightFormat.Mxfp4 => 32,
        _ => 1,
    };

    /// <summary>Bits per stored element, scales not counted.</summary>
    public static int ElementBits(this WeightFormat format) => format switch
    {
        WeightFormat.Bf16 => 16,
        WeightFormat.Fp8 => 8,
        _ => 4,
    };
}
