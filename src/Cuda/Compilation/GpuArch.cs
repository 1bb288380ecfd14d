using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace MoeTune.Cuda.Compilation;

/// <summary>
/// An NVRTC target: <c>sm_XY</c>, or <c>sm_XYa</c> where a kernel uses arch-specific instructions (wgmma, setmaxnreg,
/// tcgen05). An arch-specific cubin runs only on exactly that compute capability.
/// </summary>
public readonly record struct GpuArch(int Major, int Minor, bool ArchSpecific = false) : IComparable<GpuArch>
{
    public static GpuArch Sm80 { get; } = new(8, 0);

    public static GpuArch Sm89 { get; } = new(8, 9);

    public static GpuArch Sm90 { get; } = new(9, 0);

    public static GpuArch Sm90a { get; } = new(9, 0, ArchSpecific: true);

    public static GpuArch Sm100 { get; } = new(10, 0);

    public static GpuArch Sm100a { get; } = new(10, 0, ArchSpecific: true);

    public static GpuArch Sm120 { get; } = new(12, 0);

    public static GpuArch Sm120a { get; } = new(12, 0, ArchSpecific: true);

    /// <summary>Compute capability as a number: 90 for sm_90a.</summary>
    public int Capability => (Major * 10) + Minor;

    /// <summary>The NVRTC option that selects this target (a cubin, not PTX, since the name starts with sm_).</summary>
    public string Option => $"--gpu-architecture={this}";

    public static GpuArch Parse(string text) => TryParse(text, out var arch)
        ? arch
        : throw new FormatException($"'{text}' is not a GPU architecture; expected sm_XY or sm_XYa, for example sm_90a");

    public static bool TryParse([NotNullWhen(true)] string? text, out GpuArch arch)
    {
        arch = default;
        if (text is null || !text.StartsWith("sm_", StringComparison.Ordinal))
        {
            return false;
        }

        var digits = text[3..];
        var specific = digits.EndsWith('a');
        if (specific)
        {
            digits = digits[..^1];
        }

        if (digits.Length < 2 || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        arch = new GpuArch(number / 10, number % 10, specific);
        return true;
    }

    public int CompareTo(GpuArch other) => Capability != other.Capability
        ? Capability.CompareTo(other.Capability)
        : ArchSpecific.CompareTo(other.ArchSpecific);

    public static bool operator <(GpuArch left, GpuArch right) => left.CompareTo(right) < 0;

    public static bool operator >(GpuArch left, GpuArch right) => left.CompareTo(right) > 0;

    public static bool operator <=(GpuArch left, GpuArch right) => left.CompareTo(right) <= 0;

    public static bool operator >=(GpuArch left, GpuArch right) => left.CompareTo(right) >= 0;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"sm_{Major}{Minor}{(ArchSpecific ? "a" : "")}");
}
