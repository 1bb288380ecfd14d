using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;
using MoeTune.Engine.Autotuning;
using MoeTune.Models;

namespace MoeTune.Engine.Layers;

/// <summary>The library entry point for engines: weights in, a ready MoE layer out (DESIGN.md "Choosing a backend").</summary>
public interface IMoeLayerFactory
{
    /// <summary>A layer for <paramref name="model"/>'s MoE layer with <paramref name="weights"/>; the model's name labels the problem in the store.</summary>
    IMoeLayer Create(ModelSpec model, MoeWeights weights, MoeLayerRequest? request = null);

    /// <summary>A layer for a bare problem and router rule; <paramref name="weights"/> must be of <paramref name="shape"/>.</summary>
    IMoeLayer Create(MoeShape shape, RoutingSpec routing, MoeWeights weights, MoeLayerRequest? request = null);
}

/// <summary>Per-layer settings that override <see cref="Hosting.MoeTuneOptions"/>.</summary>
public sealed record MoeLayerRequest
{
    /// <summary>A backend name or alias to force (as <c>--backend</c>); null for the options' choice.</summary>
    public string? Backend { get; init; }

    /// <summary>The largest token count a forward will get; null for the options' value.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>Receives the autotune's progress where one runs.</summary>
    public IProgress<TuningProgress>? Progress { get; init; }

    public CancellationToken CancellationToken { get; init; }
}
