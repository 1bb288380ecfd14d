using System.Globalization;
using MoeTune.Abstractions.Problems;

namespace MoeTune.Host.Rendering;

/// <summary>A router rule in a few words, for example "softmax, renormalised" or "sigmoid, 8 groups keep 4, bias, ×2.5".</summary>
internal static class RoutingText
{
    public static string Describe(RoutingSpec routing)
    {
        var parts = new List<string> { routing.Scoring.ToString().ToLowerInvariant() };
        if (routing.Renormalize) parts.Add("renormalised");
        if (routing.Groups > 1) parts.Add(string.Create(CultureInfo.InvariantCulture, $"{routing.Groups} groups keep {routing.TopKGroups}"));
        if (routing.UsesCorrectionBias) parts.Add("correction bias");
        if (routing.RoutedScalingFactor != 1.0) parts.Add(string.Create(CultureInfo.InvariantCulture, $"×{routing.RoutedScalingFactor}"));
        return string.Join(", ", parts);
    }
}
