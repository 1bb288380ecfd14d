using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Tensors;
using MoeTune.Reference.Layer;

namespace MoeTune.Engine.Backends.Reference;

/// <summary>The Reference backend's prepared layer: host tensors in, the reference's bf16-rounded output out.</summary>
internal sealed unsafe class ReferencePreparedLayer(ReferenceMoeLayer layer, long weightBytes, int maxTokens) : IPreparedMoeLayer
{
    /// <summary>The host bytes of the weights it reads (the reference decodes rows on the fly and keeps no copy).</summary>
    public long WeightBytes => weightBytes;

    public long WorkspaceBytes => 0;

    public int MaxTokens => maxTokens;

    public void Forward(in MoeForwardArgs args)
    {
        var tokens = args.Tokens;
        if (tokens < 1 || tokens > MaxTokens)
        {
            throw new ArgumentOutOfRangeException(nameof(args), tokens, $"Reference: tokens must be in 1..{MaxTokens}");
        }

        var (hidden, topK) = (layer.Shape.Hidden, layer.Shape.TopK);
        args.Hidden.Require("hidden", DType.Bf16, tokens, hidden, MemoryLocation.Host);
        args.TopKIds.Require("topk_ids", DType.I32, tokens, topK, MemoryLocation.Host);
        args.TopKWeights.Require("topk_weights", DType.F32, tokens, topK, MemoryLocation.Host);
        args.Output.Require("output", DType.Bf16, tokens, hidden, MemoryLocation.Host);
        layer.Forward(
            new ReadOnlySpan<ushort>((void*)args.Hidden.Address, tokens * hidden),
            new ReadOnlySpan<int>((void*)args.TopKIds.Address, tokens * topK),
            new ReadOnlySpan<float>((void*)args.TopKWeights.Address, tokens * topK),
            tokens,
            new Span<ushort>((void*)args.Output.Address, tokens * hidden));
    }

    public void Dispose()
    {
    }
}
