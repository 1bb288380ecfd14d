using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;

namespace MoeTune.Abstractions.Backends;

/// <summary>
/// One way of running a MoE layer. Plugins register implementations through
/// <see cref="IMoePluginRegistration"/>; the host selects among them (DESIGN.md "Choosing a backend").
/// Implementations are stateless apart from their compiled kernels: all per-layer state lives in the
/// <see cref="IPreparedMoeLayer"/> that <see cref="Prepare"/> returns.
/// </summary>
public interface IMoeBackend
{
    /// <summary>The name users type and the store records, for example "Marlin".</summary>
    string Name { get; }

    /// <summary>Other accepted names, for example "MARLIN" (matching is case-insensitive).</summary>
    IReadOnlyList<string> Aliases { get; }

    /// <summary>The backend's version; a change invalidates its stored measurements.</summary>
    string Version { get; }

    /// <summary>A hash over the kernel sources the backend compiles; a change invalidates its stored measurements.</summary>
    string KernelSourceHash { get; }

    /// <summary>Where it runs.</summary>
    DeviceKind DeviceKind { get; }

    /// <summary>Whether this backend can run <paramref name="problem"/> on <paramref name="device"/>, and if not, why. Never throws for an unsupported case.</summary>
    SupportDecision CheckSupport(DeviceInfo device, MoeShape problem);

    /// <summary>
    /// Converts and uploads <paramref name="weights"/>, compiles kernels and allocates every workspace needed for up
    /// to <see cref="PrepareContext.MaxTokens"/> tokens. CUDA backends run on the context current on the calling thread.
    /// </summary>
    IPreparedMoeLayer Prepare(MoeWeights weights, PrepareContext context);
}

/// <summary>What <see cref="IMoeBackend.Prepare"/> needs besides the weights.</summary>
/// <param name="Device">The device the layer runs on (the one whose context is current).</param>
/// <param name="MaxTokens">The largest token count a forward will be given.</param>
/// <param name="Stream">The CUDA stream (a CUstream handle) used for uploads; 0 for the CPU.</param>
public sealed record PrepareContext(DeviceInfo Device, int MaxTokens, nint Stream = 0);
