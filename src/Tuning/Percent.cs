using System.Globalization;

namespace MoeTune.Tuning;

/// <summary>Fractions as log text ("10.0%"): the invariant culture's "P" format puts a space before the sign.</summary>
internal static class Percent
{
    public static string Of(double fraction, int decimals = 1) =>
        (fraction * 100).ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) + "%";
}
