using System.Globalization;
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
        var tokens = args.Tokens;
        if (tokens < 1 || tokens > MaxTokens)
        {
            throw new ArgumentOutOfRangeException(nameof(args), tokens, $"a forward takes 1..{MaxTokens} tokens");
        }

        // The engine's own check at its public entry, whatever the backend checks: a tensor of the wrong type, shape or
        // memory would have a CUDA kernel read or write past it.
        args.Hidden.Require("hidden", DType.Bf16, tokens, Shape.Hidden, Location);
        args.TopKIds.Require("topk_ids", DType.I32, tokens, Shape.TopK, Location);
        args.TopKWeights.Require("topk_weights", DType.F32, tokens, Shape.TopK, Location);
        args.Output.Require("output", DType.Bf16, tokens, Shape.Hidden, Location);
        if (Location == MemoryLocation.Host)
        {
            // Device-resident ids would need a copy back (a synchronisation) to check; host ones cost a pass.
            RequireExpertIds(args.TopKIds, Shape.Experts);
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

    private static unsafe void RequireExpertIds(TensorRef ids, int experts)
    {
        var values = new ReadOnlySpan<int>((void*)ids.Address, checked((int)ids.ElementCount));
        for (var i = 0; i < values.Length; i++)
        {
            if ((uint)values[i] >= (uint)experts)
            {
                throw new ArgumentException(string.Create(
                    CultureInfo.InvariantCulture, $"topk_ids[{i / ids.Cols}, {i % ids.Cols}] is {values[i]}; expert ids are 0..{experts - 1}"));
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
