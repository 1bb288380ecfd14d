using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;
using MoeTune.Reference.Layer;

namespace MoeTune.Engine.Backends.Reference;

/// <summary>
/// The built-in CPU backend over MoeTune.Reference's float64 layer. It is always registered, runs every shape and
/// format, and is the only candidate where no GPU exists, so that selection, tuning, the store and the command line
/// run end to end everywhere (CI included). It is the oracle, not a fast path: its forward allocates.
/// </summary>
public sealed class ReferenceBackend : IMoeBackend
{
    public const string BackendName = "Reference";

    public string Name => BackendName;

    public IReadOnlyList<string> Aliases { get; } = [];

    /// <summary>The version of MoeTune.Reference, whose code is the whole backend.</summary>
    public string Version { get; } = ToolInfo.VersionOf(typeof(ReferenceMoeLayer).Assembly);

    /// <summary>No kernels: the version alone identifies its code.</summary>
    public string KernelSourceHash => "cpu";

    public DeviceKind DeviceKind => DeviceKind.Cpu;

    public SupportDecision CheckSupport(DeviceInfo device, MoeShape problem)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(problem);
        return device.Kind == DeviceKind.Cpu
            ? SupportDecision.Yes
            : SupportDecision.No("runs on the CPU only (choose the cpu device)");
    }

    public IPreparedMoeLayer Prepare(MoeWeights weights, PrepareContext context)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(context);
        var support = CheckSupport(context.Device, weights.Shape);
        if (!support.IsSupported)
        {
            throw new NotSupportedException($"{Name}: {support.Reason}");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(context.MaxTokens);
        return new ReferencePreparedLayer(new ReferenceMoeLayer(weights), weights.StoredBytes, context.MaxTokens);
    }
}
