using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Tensors;
using MoeTune.Engine.Selection;

namespace MoeTune.Engine.Layers;

/// <summary>
/// A MoE layer ready to run: its backend (or per-bucket backends) selected, tuned where needed, weights prepared.
/// <see cref="Forward"/> dispatches on the token count and allocates nothing.
/// </summary>
public interface IMoeLayer : IDisposable
{
    MoeShape Shape { get; }

    /// <summary>The model's router rule, for the caller's routing step (top-k ids and weights are Forward's input).</summary>
    RoutingSpec Routing { get; }

    DeviceInfo Device { get; }

    /// <summary>Where Forward's tensors must live: host memory for CPU backends, device memory for CUDA ones.</summary>
    MemoryLocation Location { get; }

    /// <summary>The choice, its source and every candidate's status.</summary>
    SelectionResult Selection { get; }

    int MaxTokens { get; }

    /// <summary>Bytes of every prepared weight copy (one per backend of the plan).</summary>
    long WeightBytes { get; }

    long WorkspaceBytes { get; }

    /// <summary>
    /// Runs the backend the plan names for <see cref="MoeForwardArgs.Tokens"/>. The tokens must be in 1..<see cref="MaxTokens"/>
    /// and the tensors of the documented types and shapes in <see cref="Location"/> memory, else an
    /// <see cref="ArgumentException"/> names the tensor; host-resident expert ids are checked to be in [0, E) too
    /// (device-resident ones are the caller's to keep in range). NaN and infinite inputs propagate as in the reference.
    /// </summary>
    void Forward(in MoeForwardArgs args);
}
