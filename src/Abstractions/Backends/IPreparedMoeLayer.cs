using MoeTune.Abstractions.Tensors;

namespace MoeTune.Abstractions.Backends;

/// <summary>
/// A MoE layer ready to run on one device: weights converted and resident, kernels loaded, workspaces allocated.
/// <see cref="Forward"/> allocates nothing, synchronises nothing and is capturable into a CUDA graph where the
/// backend is a CUDA one.
/// </summary>
public interface IPreparedMoeLayer : IDisposable
{
    /// <summary>Device bytes the prepared weights take (the memory side of the speed/memory trade-off).</summary>
    long WeightBytes { get; }

    /// <summary>Device bytes of the workspaces sized for <see cref="MaxTokens"/>.</summary>
    long WorkspaceBytes { get; }

    /// <summary>The largest token count <see cref="Forward"/> accepts.</summary>
    int MaxTokens { get; }

    /// <summary>Computes <c>Output[t] = Σ_j w[t,j] · expert_{id[t,j]}(Hidden[t])</c>, enqueued on <see cref="MoeForwardArgs.Stream"/>.</summary>
    void Forward(in MoeForwardArgs args);
}

/// <summary>
/// One forward call's tensors. Shapes: Hidden [T, H] bf16, TopKIds [T, k] i32, TopKWeights [T, k] f32, Output [T, H] bf16,
/// all in the backend's memory location. Output is fully overwritten (never accumulated into).
/// </summary>
public readonly record struct MoeForwardArgs(
    int Tokens,
    TensorRef Hidden,
    TensorRef TopKIds,
    TensorRef TopKWeights,
    TensorRef Output,
    nint Stream = 0);
