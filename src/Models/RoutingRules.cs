using System.Globalization;
using MoeTune.Abstractions.Problems;

namespace MoeTune.Models;

/// <summary>Consistency rules between a router's rule and the expert counts it chooses from.</summary>
internal static class RoutingRules
{
    /// <summary>Null where <paramref name="routing"/> can choose <paramref name="topK"/> of <paramref name="experts"/>; otherwise why not.</summary>
    public static string? Validate(RoutingSpec routing, int experts, int topK)
    {
        if (routing.Groups < 1) return Text($"expert groups must be at least 1 (got {routing.Groups})");
        if (experts % routing.Groups != 0) return Text($"{experts} experts do not split into {routing.Groups} equal groups");
        if (routing.TopKGroups < 1 || routing.TopKGroups > routing.Groups)
        {
            return Text($"kept groups must be within 1..{routing.Groups} (got {routing.TopKGroups})");
        }

        var reachable = routing.TopKGroups * (experts / routing.Groups);
        if (topK > reachable) return Text($"top-{topK} cannot be chosen from {routing.TopKGroups} kept groups of {experts / routing.Groups} experts");
        if (!double.IsFinite(routing.RoutedScalingFactor) || routing.RoutedScalingFactor <= 0)
        {
            return Text($"the routed scaling factor must be positive and finite (got {routing.RoutedScalingFactor})");
        }

        return null;
    }

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
