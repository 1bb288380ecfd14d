using System.Runtime.InteropServices;
using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;
using MoeTune.Engine.Backends.Reference;

namespace MoeTune.Engine.Tests.Support;

/// <summary>
/// An in-process CPU backend for engine tests, registered through the container as an application would. It prepares
/// the Reference layer and lets the test decide what a forward does with it: pass through, corrupt, skip, delay.
/// </summary>
internal sealed class TestBackend(string name, string version = "1.0", Action<IPreparedMoeLayer, MoeForwardArgs>? forward = null) : IMoeBackend
{
    private readonly Action<IPreparedMoeLayer, MoeForwardArgs> _forward = forward ?? ((inner, args) => inner.Forward(args));

    public string Name => name;

    public IReadOnlyList<string> Aliases { get; } = [];

    public string Version => version;

    public string KernelSourceHash => "test";

    public DeviceKind DeviceKind => DeviceKind.Cpu;

    /// <summary>Forwards run, per token count.</summary>
    public Dictionary<int, int> ForwardsByTokens { get; } = [];

    /// <summary>Thrown from Prepare where set.</summary>
    public Exception? PrepareFailure { get; init; }

    public SupportDecision CheckSupport(DeviceInfo device, MoeShape problem) =>
        device.Kind == DeviceKind.Cpu ? SupportDecision.Yes : SupportDecision.No("test backend: CPU only");

    public IPreparedMoeLayer Prepare(MoeWeights weights, PrepareContext context)
    {
        if (PrepareFailure is not null)
        {
            throw PrepareFailure;
        }

        return new Layer(this, new ReferenceBackend().Prepare(weights, context));
    }

    /// <summary>Writes zeros into the output without computing anything: faster than any correct backend, and wrong.</summary>
    public static void WriteZeros(IPreparedMoeLayer inner, MoeForwardArgs args) =>
        Output(args).Clear();

    /// <summary>Computes the right answer, then doubles it.</summary>
    public static void Doubled(IPreparedMoeLayer inner, MoeForwardArgs args)
    {
        inner.Forward(args);
        var output = Output(args);
        for (var i = 0; i < output.Length; i++)
        {
            output[i] = Reference.Formats.Bf16.FromFloat(2 * Reference.Formats.Bf16.ToFloat(output[i]));
        }
    }

    /// <summary>Busy-waits so that timings differ by a clear margin (sleeping would be too coarse).</summary>
    public static Action<IPreparedMoeLayer, MoeForwardArgs> SlowWhen(Func<int, bool> slow, TimeSpan delay) => (inner, args) =>
    {
        inner.Forward(args);
        if (slow(args.Tokens))
        {
            var until = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
            while (System.Diagnostics.Stopwatch.GetTimestamp() < until)
            {
                Thread.SpinWait(100);
            }
        }
    };

    private static unsafe Span<ushort> Output(MoeForwardArgs args) =>
        new((void*)args.Output.Address, checked((int)args.Output.ElementCount));

    private sealed class Layer(TestBackend owner, IPreparedMoeLayer inner) : IPreparedMoeLayer
    {
        public long WeightBytes => inner.WeightBytes;

        public long WorkspaceBytes => inner.WorkspaceBytes;

        public int MaxTokens => inner.MaxTokens;

        public void Forward(in MoeForwardArgs args)
        {
            lock (owner.ForwardsByTokens)
            {
                CollectionsMarshal.GetValueRefOrAddDefault(owner.ForwardsByTokens, args.Tokens, out _)++;
            }

            owner._forward(inner, args);
        }

        public void Dispose() => inner.Dispose();
    }
}
