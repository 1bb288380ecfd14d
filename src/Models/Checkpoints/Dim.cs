using System.Globalization;

namespace MoeTune.Models.Checkpoints;

/// <summary>One expected tensor dimension and where its size comes from (a config field, or a rule of the format).</summary>
internal readonly record struct Dim(long Size, string Source)
{
    public static string Describe(IEnumerable<Dim> shape) =>
        "[" + string.Join(", ", shape.Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.Size} ({d.Source})"))) + "]";
}
