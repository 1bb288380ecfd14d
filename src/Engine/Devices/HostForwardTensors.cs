using System.Runtime.InteropServices;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Tensors;

namespace MoeTune.Engine.Devices;

/// <summary>Forward tensors in native host memory (64-byte aligned), for CPU backends.</summary>
internal sealed unsafe class HostForwardTensors : ForwardTensors
{
    private const nuint Alignment = 64;
    private readonly void* _hidden;
    private readonly void* _ids;
    private readonly void* _weights;
    private readonly void* _output;

    public HostForwardTensors(MoeShape shape, int tokens)
        : base(shape, tokens)
    {
        _hidden = Allocate((long)tokens * shape.Hidden * sizeof(ushort));
        _ids = Allocate((long)tokens * shape.TopK * sizeof(int));
        _weights = Allocate((long)tokens * shape.TopK * sizeof(float));
        _output = Allocate((long)tokens * shape.Hidden * sizeof(ushort));
    }

    public override TensorRef Hidden => new((nint)_hidden, DType.Bf16, Tokens, Shape.Hidden, MemoryLocation.Host);

    public override TensorRef TopKIds => new((nint)_ids, DType.I32, Tokens, Shape.TopK, MemoryLocation.Host);

    public override TensorRef TopKWeights => new((nint)_weights, DType.F32, Tokens, Shape.TopK, MemoryLocation.Host);

    public override TensorRef Output => new((nint)_output, DType.Bf16, Tokens, Shape.Hidden, MemoryLocation.Host);

    public override void PoisonOutput() => OutputSpan.Fill(Bf16NaN);

    protected override void WriteCore(ReadOnlySpan<ushort> hidden, ReadOnlySpan<int> topKIds, ReadOnlySpan<float> topKWeights)
    {
        hidden.CopyTo(new Span<ushort>(_hidden, hidden.Length));
        topKIds.CopyTo(new Span<int>(_ids, topKIds.Length));
        topKWeights.CopyTo(new Span<float>(_weights, topKWeights.Length));
    }

    protected override void ReadOutputCore(Span<ushort> destination) => OutputSpan.CopyTo(destination);

    protected override void Dispose(bool disposing)
    {
        NativeMemory.AlignedFree(_hidden);
        NativeMemory.AlignedFree(_ids);
        NativeMemory.AlignedFree(_weights);
        NativeMemory.AlignedFree(_output);
    }

    private Span<ushort> OutputSpan => new(_output, checked(Tokens * Shape.Hidden));

    private static void* Allocate(long bytes) => NativeMemory.AlignedAlloc(checked((nuint)bytes), Alignment);
}
