using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Weights;
using MoeTune.Cuda.Driver;
using MoeTune.Gpu.Tests.Infrastructure;
using MoeTune.Models;
using MoeTune.Plugins.Marlin;
using MoeTune.Reference.Layer;
using MoeTune.Reference.Synthetic;

namespace MoeTune.Gpu.Tests.Backends;

/// <summary>
/// Each preset's weights, its Marlin layer (prepared for <see cref="MaxTokens"/> tokens) and its CPU reference, built
/// once per test run and shared by every Marlin test. Presets are evicted least recently used first when the GPU is
/// short of memory for the next one (on an 80 GB card all seven fit: about 13 GB of weights).
/// </summary>
public sealed class MarlinLayers : IDisposable
{
    public const int MaxTokens = 4096;

    /// <summary>Free memory kept beyond a layer's own needs (the context, the tests' tensors).</summary>
    private const long HeadroomBytes = 4L << 30;

    private readonly List<Entry> held = [];

    public sealed record Entry(ModelSpec Model, MoeWeights Weights, IPreparedMoeLayer Layer, ReferenceMoeLayer Reference);

    /// <summary>The layer of <paramref name="preset"/>, building it from fresh random weights (seed logged) when not held.</summary>
    public Entry Get(GpuFixture gpu, string preset)
    {
        ArgumentNullException.ThrowIfNull(gpu);
        var context = gpu.Require();
        var found = held.Find(e => e.Model.Name == preset);
        if (found is not null)
        {
            held.Remove(found);
            held.Add(found);
            return found;
        }

        var model = PresetCases.Find(preset);
        var weights = SyntheticWeights.Generate(model.Shape, TestInputs.NewRandom($"Marlin {preset} weights").Next());
        MakeRoom(context, weights.StoredBytes * 2);
        var backend = new MarlinBackend(gpu.Compiler!);
        var device = gpu.Device!.ToDeviceInfo();
        var decision = backend.CheckSupport(device, model.Shape);
        Assert.True(decision.IsSupported, $"Marlin should run {preset} on {device}: {decision.Reason}");
        var layer = backend.Prepare(weights, new PrepareContext(device, MaxTokens));
        context.Synchronize();
        var entry = new Entry(model, weights, layer, new ReferenceMoeLayer(weights));
        held.Add(entry);
        return entry;
    }

    public void Dispose()
    {
        foreach (var entry in held)
        {
            entry.Layer.Dispose();
        }

        held.Clear();
    }

    private void MakeRoom(CudaContext context, long bytes)
    {
        while (held.Count > 0 && context.GetMemoryInfo().Free < bytes + HeadroomBytes)
        {
            held[0].Layer.Dispose();
            held.RemoveAt(0);
            GC.Collect();
        }
    }
}
