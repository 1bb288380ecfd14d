using System.Globalization;
using MoeTune.Abstractions.Problems;
using MoeTune.Models.Config;

namespace MoeTune.Models.Families;

/// <summary>Checks several families share when reading config.json.</summary>
internal static class ConfigRules
{
    /// <summary>Requires <paramref name="field"/> (where present) to name <paramref name="expected"/>, the only activation this family's experts may have.</summary>
    public static void RequireActivationName(ConfigReader config, string field, string expected)
    {
        var actual = config.OptionalString(field);
        if (actual is not null && !string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
        {
            throw config.Error(field, $"is '{actual}'; this architecture's experts are supported with '{expected}' only");
        }
    }

    /// <summary>The routed expert count and top-k, both required and positive, top-k within the count.</summary>
    public static (int Experts, int TopK) RequireExpertsAndTopK(ConfigReader config, string expertsField, string topKField)
    {
        var experts = config.RequirePositiveInt(expertsField);
        var topK = config.RequirePositiveInt(topKField);
        RequireTopKWithinExperts(config, topKField, topK, expertsField, experts);
        return (experts, topK);
    }

    /// <summary>Requires top-k not to exceed the expert count, naming both fields.</summary>
    public static void RequireTopKWithinExperts(ConfigReader config, string topKField, int topK, string expertsField, int experts)
    {
        if (topK > experts)
        {
            throw config.Error(topKField, Invariant($"{topK} exceeds {config.PathOf(expertsField)} = {experts}"));
        }
    }

    /// <summary>Requires a grouped router to be able to choose top-k, naming the group fields.</summary>
    public static void RequireRoutable(ConfigReader config, RoutingSpec routing, int experts, int topK, string groupsField, string keptGroupsField)
    {
        var problem = RoutingRules.Validate(routing, experts, topK);
        if (problem is not null)
        {
            throw config.Error($"{groupsField}/{keptGroupsField}", problem);
        }
    }

    /// <summary>0..<paramref name="layers"/>-1 where <paramref name="isMoe"/> holds; an error naming <paramref name="field"/> where none does.</summary>
    public static IReadOnlyList<int> MoeLayers(ConfigReader config, int layers, Func<int, bool> isMoe, string field)
    {
        var moe = Enumerable.Range(0, layers).Where(isMoe).ToArray();
        return moe.Length > 0 ? moe : throw config.Error(field, Invariant($"leaves none of the {layers} layers an MoE layer"));
    }

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
