using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Tensors;
using MoeTune.Engine.Devices;
using MoeTune.Engine.Selection;

namespace MoeTune.Engine.Layers;

/// <summary>
/// The layer <see cref="IMoeLayerFactory"/> returns: one prepared layer per backend of the plan, and a step table
/// (upper token bound, prepared layer) walked on each forward, so that dispatch allocates nothing.
/// Owns the prepared layers and the opened device.
/// </summary>
internal sealed class MoeLayer : IMoeLayer
{
    private readonly IExecutionDevice _device;
    private readonly IReadOnlyList<IPreparedMoeLayer> _prepared;
    private readonly int[] _stepLimits;
    private readonly IPreparedMoeLayer[] _stepLayers;

    public MoeLayer(
        IExecutionDevice device,
        MoeShape shape,
        RoutingSpec routing,
        SelectionResult selection,
        IReadOnlyDictionary<string, IPreparedMoeLayer> preparedByBackend,
        int maxTokens)
    {
        _device = device;
        Shape = shape;
        Routing = routing;
        Selection = selection;
        MaxTokens = maxTokens;
        _prepared = [.. preparedByBackend.Values];
        _stepLimits = [.. selection.Plan.Steps.Select(s => s.UpToTokens)];
        _stepLayers = [.. selection.Plan.Steps.Select(s => preparedByBackend[s.Backend])];
    }

    public MoeShape Shape { get; }

    public RoutingSpec Routing { get; }

    public DeviceInfo Device => _device.Info;

    public MemoryLocation Location => _device.Info.Kind == DeviceKind.Cuda ? MemoryLocation.Cuda : MemoryLocation.Host;

    public SelectionResult Selection { get; }

    public int MaxTokens { get; }

    public long WeightBytes => _prepared.Sum(p => p.WeightBytes);

    public long WorkspaceBytes => _prepared.Sum(p => p.WorkspaceBytes);

    public void Forward(in MoeForwardArgs args)
    {
        if (args.Tokens < 1 || args.Tokens > MaxTokens)
        {
            throw new ArgumentOutOfRangeException(nameof(args), args.Tokens, $"a forward takes 1..{MaxTokens} tokens");
        }

        for (var i = 0; i < _stepLimits.Length; i++)
        {
            if (args.Tokens <= _stepLimits[i])
            {
                _stepLayers[i].Forward(args);
                return;
            }
        }
    }

    public void Dispose()
    {
        foreach (var layer in _prepared)
        {
            layer.Dispose();
        }

        _device.Dispose();
    }
}
