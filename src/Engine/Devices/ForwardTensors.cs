using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Tensors;

namespace MoeTune.Engine.Devices;

/// <summary>
/// The four tensors of one forward of <see cref="Tokens"/> tokens, in one device's memory: hidden [T, H] bf16,
/// top-k ids [T, k] i32, top-k weights [T, k] f32 and output [T, H] bf16. Filled from and read back to host arrays.
/// </summary>
public abstract class ForwardTensors : IDisposable
{
    /// <summary>A bf16 quiet NaN: outputs are poisoned with it before a checked forward, so a backend that skips an element is caught.</summary>
    public const ushort Bf16NaN = 0x7FC0;

    private bool _disposed;

    protected ForwardTensors(MoeShape shape, int tokens)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokens);
        Shape = shape;
        Tokens = tokens;
    }

    public MoeShape Shape { get; }

    public int Tokens { get; }

    public abstract TensorRef Hidden { get; }

    public abstract TensorRef TopKIds { get; }

    public abstract TensorRef TopKWeights { get; }

    public abstract TensorRef Output { get; }

    /// <summary>The forward's arguments on <paramref name="stream"/> (0 for the CPU).</summary>
    public MoeForwardArgs Args(nint stream) => new(Tokens, Hidden, TopKIds, TopKWeights, Output, stream);

    /// <summary>Copies the inputs in; lengths must be T·H, T·k and T·k.</summary>
    public void Write(ReadOnlySpan<ushort> hidden, ReadOnlySpan<int> topKIds, ReadOnlySpan<float> topKWeights)
    {
        Require("hidden", hidden.Length, (long)Tokens * Shape.Hidden);
        Require("topk_ids", topKIds.Length, (long)Tokens * Shape.TopK);
        Require("topk_weights", topKWeights.Length, (long)Tokens * Shape.TopK);
        WriteCore(hidden, topKIds, topKWeights);
    }

    /// <summary>Copies the output out (after the device finished the forward); the length must be T·H.</summary>
    public void ReadOutput(Span<ushort> destination)
    {
        Require("output", destination.Length, (long)Tokens * Shape.Hidden);
        ReadOutputCore(destination);
    }

    /// <summary>Fills the output with <see cref="Bf16NaN"/>.</summary>
    public abstract void PoisonOutput();

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected abstract void WriteCore(ReadOnlySpan<ushort> hidden, ReadOnlySpan<int> topKIds, ReadOnlySpan<float> topKWeights);

    protected abstract void ReadOutputCore(Span<ushort> destination);

    protected abstract void Dispose(bool disposing);

    private static void Require(string name, int actual, long expected)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"{name}: expected {expected} elements, got {actual}");
        }
    }
}
