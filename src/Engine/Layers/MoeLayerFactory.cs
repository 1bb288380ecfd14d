using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;
using MoeTune.Engine.Backends;
using MoeTune.Engine.Devices;
using MoeTune.Engine.Hosting;
using MoeTune.Engine.Logging;
using MoeTune.Engine.Selection;
using MoeTune.Models;

namespace MoeTune.Engine.Layers;

/// <summary>
/// Builds ready layers: opens the configured device, selects (tuning on first use), prepares one weight copy per
/// backend of the plan. Layers are independent: each owns its device handle and prepared weights.
/// </summary>
internal sealed class MoeLayerFactory(
    IOptions<MoeTuneOptions> options,
    DeviceCatalog devices,
    BackendCatalog catalog,
    BackendSelector selector,
    ILogger<MoeLayerFactory> logger) : IMoeLayerFactory
{
    public IMoeLayer Create(ModelSpec model, MoeWeights weights, MoeLayerRequest? request = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Create(model.Shape, model.Routing, weights, request, model.Name);
    }

    public IMoeLayer Create(MoeShape shape, RoutingSpec routing, MoeWeights weights, MoeLayerRequest? request = null) =>
        Create(shape, routing, weights, request, label: null);

    private MoeLayer Create(MoeShape shape, RoutingSpec routing, MoeWeights weights, MoeLayerRequest? request, string? label)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(routing);
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Shape != shape)
        {
            throw new ArgumentException($"the weights are for {weights.Shape.CanonicalText}, not {shape.CanonicalText}", nameof(weights));
        }

        var settings = options.Value;
        var maxTokens = request?.MaxTokens ?? settings.MaxTokens;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxTokens);
        var device = devices.Open(devices.Resolve(settings.Device));
        var prepared = new Dictionary<string, IPreparedMoeLayer>(StringComparer.Ordinal);
        try
        {
            var selection = selector.Select(
                new SelectionRequest(device, shape, () => weights)
                {
                    Backend = request?.Backend ?? settings.Backend,
                    TuningEnabled = settings.Autotune,
                    Settings = settings.ToTuneSettings(),
                    Label = label,
                },
                request?.Progress,
                request?.CancellationToken ?? CancellationToken.None);
            foreach (var name in selection.Plan.Backends)
            {
                var backend = catalog.Registry.Find(name)?.Backend
                    ?? throw new InvalidOperationException($"the plan names {name}, which is not registered");
                var layer = backend.Prepare(weights, device.PrepareContext(maxTokens));
                prepared.Add(name, layer);
                EngineLog.LayerPrepared(logger, name, device.Info, layer.WeightBytes, layer.WorkspaceBytes, maxTokens);
            }

            return new MoeLayer(device, shape, routing, selection, prepared, maxTokens);
        }
        catch
        {
            foreach (var layer in prepared.Values)
            {
                layer.Dispose();
            }

            device.Dispose();
            throw;
        }
    }
}
