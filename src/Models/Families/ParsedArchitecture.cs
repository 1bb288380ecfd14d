using MoeTune.Abstractions.Problems;

namespace MoeTune.Models.Families;

/// <summary>What a family reads from config.json: everything of a <see cref="ModelSpec"/> except the weight format and names.</summary>
internal sealed record ParsedArchitecture(
    int Experts,
    int TopK,
    int Hidden,
    int Intermediate,
    Activation Activation,
    RoutingSpec Routing,
    int SharedExperts,
    int TotalLayers,
    IReadOnlyList<int> MoeLayers,
    ConfigFieldNames Fields);
