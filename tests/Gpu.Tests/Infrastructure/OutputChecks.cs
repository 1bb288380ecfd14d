using MoeTune.Reference.Formats;

namespace MoeTune.Gpu.Tests.Infrastructure;

/// <summary>The checks every layer output goes through: finite everywhere, reproducible, and close to the reference.</summary>
public static class OutputChecks
{
    /// <summary>The relative Frobenius error allowed for bf16 activations (DESIGN.md, "Testing and measuring").</summary>
    public const double Tolerance = 1e-2;

    /// <summary>Fails on the first NaN or infinity (the poison included) of an [*, <paramref name="hidden"/>] bf16 output.</summary>
    public static void AssertFinite(ReadOnlySpan<ushort> output, int hidden, string what)
    {
        // Non-finite bf16 values have every exponent bit set: 0x7F80..0x7FFF and 0xFF80..0xFFFF (two vectorised scans).
        var positive = output.IndexOfAnyInRange((ushort)0x7F80, (ushort)0x7FFF);
        var negative = output.IndexOfAnyInRange((ushort)0xFF80, (ushort)0xFFFF);
        var bad = positive < 0 ? negative : negative < 0 ? positive : Math.Min(positive, negative);
        Assert.True(bad < 0, $"{what}: output[{Math.Max(bad, 0) / hidden}, {Math.Max(bad, 0) % hidden}] is not finite (bf16 0x{(bad < 0 ? 0 : output[bad]):X4})");
    }

    /// <summary>Fails on the first element where two outputs differ in any bit.</summary>
    public static void AssertIdentical(ushort[] expected, ushort[] actual, string what)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} elements, expected {expected.Length}");
        var first = expected.AsSpan().CommonPrefixLength(actual);
        Assert.True(first == expected.Length, $"{what}: element {first} differs (0x{Element(expected, first):X4} against 0x{Element(actual, first):X4})");
    }

    /// <summary>‖actual − expected‖ / ‖expected‖ over all elements.</summary>
    public static double RelativeError(ReadOnlySpan<ushort> actual, ReadOnlySpan<double> expected)
    {
        Assert.True(actual.Length == expected.Length, $"{actual.Length} outputs against {expected.Length} reference values");
        double difference = 0, norm = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            var d = Bf16.ToFloat(actual[i]) - expected[i];
            difference += d * d;
            norm += expected[i] * expected[i];
        }

        return Math.Sqrt(difference / norm);
    }

    private static ushort Element(ushort[] values, int index) => index < values.Length ? values[index] : (ushort)0;
}
