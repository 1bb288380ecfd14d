using System.Globalization;
using MoeTune.Abstractions.Problems;
using MoeTune.Models.Families;

namespace MoeTune.Models;

/// <summary>
/// A named description of one model's MoE layer: its shape signature (the tuning key), its router's rule, and where
/// in the network its MoE layers sit. Built by <see cref="Presets.ModelPresets"/> or from a Hugging Face config.json
/// (<see cref="Config.HuggingFaceConfig"/>); <see cref="ModelResolver"/> picks between them.
/// </summary>
public sealed record ModelSpec
{
    public ModelSpec(
        string name,
        ModelFamily family,
        MoeShape shape,
        RoutingSpec routing,
        int sharedExperts,
        IReadOnlyList<string> labels,
        string source,
        int totalLayers,
        IReadOnlyList<int> moeLayers,
        ConfigFieldNames fields)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(family);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(routing);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        ArgumentNullException.ThrowIfNull(moeLayers);
        ArgumentNullException.ThrowIfNull(fields);
        var error = Validate(shape, routing, sharedExperts, totalLayers, moeLayers);
        if (error is not null)
        {
            throw new ArgumentException($"invalid model spec '{name}' ({source}): {error}");
        }

        Name = name;
        Family = family;
        Shape = shape;
        Routing = routing;
        SharedExperts = sharedExperts;
        Labels = [.. labels];
        Source = source;
        TotalLayers = totalLayers;
        MoeLayers = [.. moeLayers];
        Fields = fields;
    }

    /// <summary>The model's name: the preset name, or the folder holding the config.json.</summary>
    public string Name { get; }

    /// <summary>The architecture: config parsing and checkpoint tensor names follow from it.</summary>
    public ModelFamily Family { get; }

    /// <summary>The problem's identity (the tuning store's key).</summary>
    public MoeShape Shape { get; }

    public RoutingSpec Routing { get; }

    /// <summary>Always-active experts run beside the routed layer (not part of <see cref="Shape"/>).</summary>
    public int SharedExperts { get; }

    /// <summary>Names this model is known by (the preset name, Hugging Face repository ids); labels over one signature.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary><c>preset:&lt;name&gt;</c>, or the full path of the config.json the spec was read from.</summary>
    public string Source { get; }

    /// <summary>Decoder layers in the network (num_hidden_layers).</summary>
    public int TotalLayers { get; }

    /// <summary>Indices of the decoder layers that hold this MoE layer, ascending.</summary>
    public IReadOnlyList<int> MoeLayers { get; }

    public int FirstMoeLayer => MoeLayers[0];

    /// <summary>The config.json fields the shape came from, named in checkpoint errors.</summary>
    public ConfigFieldNames Fields { get; }

    /// <summary>The same model with its experts stored in another weight format.</summary>
    public ModelSpec WithFormat(WeightFormat format) => format == Shape.Format
        ? this
        : new ModelSpec(Name, Family, Shape.WithFormat(format), Routing, SharedExperts, Labels, Source, TotalLayers, MoeLayers, Fields);

    public bool IsMoeLayer(int layer) => MoeLayers.Contains(layer);

    /// <summary>The MoE layer indices as compact ranges, for example <c>3-60</c> or <c>1, 3, 5-6</c>.</summary>
    public string DescribeMoeLayers()
    {
        var parts = new List<string>();
        for (var i = 0; i < MoeLayers.Count;)
        {
            var j = i;
            while (j + 1 < MoeLayers.Count && MoeLayers[j + 1] == MoeLayers[j] + 1) j++;
            parts.Add(i == j
                ? MoeLayers[i].ToString(CultureInfo.InvariantCulture)
                : string.Create(CultureInfo.InvariantCulture, $"{MoeLayers[i]}-{MoeLayers[j]}"));
            i = j + 1;
        }

        return string.Join(", ", parts);
    }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Name} ({Family.Name}, {Source}): {Shape.CanonicalText}; {SharedExperts} shared; MoE layers {DescribeMoeLayers()} of {TotalLayers}");

    public bool Equals(ModelSpec? other) =>
        other is not null
        && Name == other.Name
        && ReferenceEquals(Family, other.Family)
        && Shape == other.Shape
        && Routing == other.Routing
        && SharedExperts == other.SharedExperts
        && Labels.SequenceEqual(other.Labels)
        && Source == other.Source
        && TotalLayers == other.TotalLayers
        && MoeLayers.SequenceEqual(other.MoeLayers)
        && Fields == other.Fields;

    public override int GetHashCode() => HashCode.Combine(Name, Shape, Routing, Source);

    private static string? Validate(MoeShape shape, RoutingSpec routing, int sharedExperts, int totalLayers, IReadOnlyList<int> moeLayers)
    {
        if (sharedExperts < 0) return $"shared experts must not be negative (got {sharedExperts})";
        if (totalLayers <= 0) return $"the layer count must be positive (got {totalLayers})";
        if (moeLayers.Count == 0) return "no MoE layer";
        for (var i = 0; i < moeLayers.Count; i++)
        {
            if (moeLayers[i] < 0 || moeLayers[i] >= totalLayers) return $"MoE layer {moeLayers[i]} is outside 0..{totalLayers - 1}";
            if (i > 0 && moeLayers[i] <= moeLayers[i - 1]) return "MoE layer indices must be ascending and distinct";
        }

        return RoutingRules.Validate(routing, shape.Experts, shape.TopK);
    }
}
