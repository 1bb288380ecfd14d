using System.Diagnostics;
using System.Runtime;
using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Problems;

namespace MoeTune.Gpu.Tests.Infrastructure;

/// <summary>
/// The weights of one (preset, format) at a time and the layers prepared from them, one per backend, shared by every
/// test of the run (an assembly fixture). Asking for another (preset, format) first disposes the layers and lets the
/// weights go, so the host holds one preset's weights (at most 4 GB: llama-4-scout in bf16) and the device one
/// preset's layers (at most about 28 GB: deepseek-v3 in bf16 with a 16384-token workspace). The tests of a class run
/// grouped by (preset, format) (<see cref="PresetOrder"/>), so a forward test's weights are drawn and its layer
/// prepared once per process (the graph and limit tests revisit a few small presets), and where Marlin's and
/// FlashInferCutlass's NVFP4 tests run in one process they share the draw. Each draw and preparation writes a line
/// with the memory in use to the log.
/// </summary>
public sealed class LayerCache : IDisposable
{
    private Group? current;

    /// <summary>The preset's weights in <paramref name="format"/>, with <paramref name="backend"/>'s layer prepared from them.</summary>
    public (PresetWeights Weights, IPreparedMoeLayer Layer) Get(GpuFixture gpu, TestedBackend backend, string preset, WeightFormat format)
    {
        ArgumentNullException.ThrowIfNull(gpu);
        ArgumentNullException.ThrowIfNull(backend);
        var context = gpu.Require();
        if (current is null || current.Weights.Model.Name != preset || current.Weights.Model.Shape.Format != format)
        {
            Release();
            current = new Group(PresetWeights.Generate(preset, format));
            Console.WriteLine($"layers: {current.Weights.Description}, drawn in {current.Weights.DrawTime.TotalSeconds:F1} s; {MemoryUse.Describe(context)}");
        }

        TestContext.Current.TestOutputHelper?.WriteLine(current.Weights.Description);

        if (!current.Layers.TryGetValue(backend.Name, out var layer))
        {
            layer = Prepare(gpu, backend, current);
            current.Layers.Add(backend.Name, layer);
        }

        return (current.Weights, layer);
    }

    public void Dispose() => Release();

    private static IPreparedMoeLayer Prepare(GpuFixture gpu, TestedBackend backend, Group group)
    {
        var (context, weights) = (gpu.Context!, group.Weights);
        var device = gpu.Device!.ToDeviceInfo();
        var shape = weights.Model.Shape;
        var what = $"{backend.Name} {weights.Model.Name} {shape.Format.ToName()}";
        var instance = backend.Create(gpu.Compiler!);
        var decision = instance.CheckSupport(device, shape);
        Assert.True(decision.IsSupported, $"{backend.Name} should run {weights.Model.Name} in {shape.Format.ToName()} on {device}: {decision.Reason}");

        // A preset whose stored weights alone exceed the free memory cannot run on this card: that is a skip, not a failure.
        var weightBytes = weights.Weights.StoredBytes;
        var free = context.GetMemoryInfo().Free;
        Assert.SkipWhen(weightBytes > free, $"{weights.Model.Name} in {shape.Format.ToName()} has {MemoryUse.GiB(weightBytes)} of weights; {device.Name} has {MemoryUse.GiB(free)} free");

        // A layer that failed to prepare fails the group's later tests at once instead of costing its preparation again.
        Assert.False(group.Failures.TryGetValue(backend.Name, out var failure), $"{what}: Prepare failed earlier in this run ({failure}); not retried");
        var clock = Stopwatch.StartNew();
        try
        {
            var layer = instance.Prepare(weights.Weights, new PrepareContext(device, backend.MaxTokens));
            context.Synchronize();
            Console.WriteLine(
                $"layers: {what} prepared in {clock.Elapsed.TotalSeconds:F1} s ({MemoryUse.GiB(layer.WeightBytes)} of weights, " +
                $"{MemoryUse.GiB(layer.WorkspaceBytes)} of workspace for {backend.MaxTokens} tokens); {MemoryUse.Describe(context)}");
            return layer;
        }
        catch (Exception e)
        {
            group.Failures.Add(backend.Name, $"{e.GetType().Name}: {e.Message}");
            throw;
        }
    }

    private void Release()
    {
        if (current is null)
        {
            return;
        }

        foreach (var layer in current.Layers.Values)
        {
            layer.Dispose();
        }

        current = null;

        // The next preset's draw should start from an empty heap: collect the weights now, compacting the large-object
        // heap they lived in, rather than when the next draw runs short.
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect();
    }

    private sealed class Group(PresetWeights weights)
    {
        public PresetWeights Weights { get; } = weights;

        public Dictionary<string, IPreparedMoeLayer> Layers { get; } = new(StringComparer.Ordinal);

        /// <summary>Why a backend's Prepare threw, by backend name.</summary>
        public Dictionary<string, string> Failures { get; } = new(StringComparer.Ordinal);
    }
}
