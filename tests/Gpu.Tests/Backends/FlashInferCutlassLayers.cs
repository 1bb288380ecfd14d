using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;
using MoeTune.Cuda.Driver;
using MoeTune.Gpu.Tests.Infrastructure;
using MoeTune.Models;
using MoeTune.Plugins.FlashInferCutlass;
using MoeTune.Reference.Layer;
using MoeTune.Reference.Synthetic;

namespace MoeTune.Gpu.Tests.Backends;

/// <summary>
/// FlashInferCutlass layers per (preset, weight format), prepared for <see cref="MaxTokens"/> tokens from fresh random
/// weights (seed logged), with the CPU reference over the same weights. Built on first use and shared by the class's
/// tests, which run grouped by preset and format (<see cref="FlashInferCutlassCaseOrder"/>); the least recently used
/// layers are dropped when the next one would not fit (every preset in both formats is about 53 GB of weights).
/// Expert e carries the weights of expert e mod <see cref="DistinctExperts"/> of a smaller draw: that keeps the
/// host-side generation of the largest presets (deepseek-v3: 11 G parameters) to seconds, while the device still
/// holds, indexes and streams every expert; an expert-indexing error still shows unless it is off by a multiple of 32.
/// </summary>
public sealed class FlashInferCutlassLayers : IDisposable
{
    public const int MaxTokens = 16384;

    public const int DistinctExperts = 32;

    /// <summary>Free device memory kept beyond a layer's needs (the tests' tensors, the context).</summary>
    private const long HeadroomBytes = 6L << 30;

    private readonly List<Entry> held = [];

    public sealed record Entry(ModelSpec Model, MoeWeights Weights, IPreparedMoeLayer Layer, ReferenceMoeLayer Reference);

    public Entry Get(GpuFixture gpu, string preset, WeightFormat format)
    {
        ArgumentNullException.ThrowIfNull(gpu);
        var context = gpu.Require();
        var found = held.Find(e => e.Model.Name == preset && e.Model.Shape.Format == format);
        if (found is not null)
        {
            held.Remove(found);
            held.Add(found);
            return found;
        }

        var model = PresetCases.Find(preset).WithFormat(format);
        var backend = new FlashInferCutlassBackend(gpu.Compiler!);
        var device = gpu.Device!.ToDeviceInfo();
        var decision = backend.CheckSupport(device, model.Shape);
        Assert.True(decision.IsSupported, $"FlashInferCutlass should run {preset} in {format} on {device}: {decision.Reason}");
        var weights = Generate(model.Shape, TestInputs.NewRandom($"FlashInferCutlass {preset} {format} weights").Next());
        MakeRoom(context, (weights.StoredBytes * 3 / 2) + WorkspaceEstimate(model.Shape));
        var layer = backend.Prepare(weights, new PrepareContext(device, MaxTokens));
        context.Synchronize();
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"FlashInferCutlass {preset} {format}: {layer.WeightBytes >> 20} MiB of weights, {layer.WorkspaceBytes >> 20} MiB of workspace");
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

    private static MoeWeights Generate(MoeShape shape, int seed)
    {
        var distinct = Math.Min(shape.Experts, DistinctExperts);
        var draw = SyntheticWeights.Generate(
            new MoeShape(distinct, Math.Min(shape.TopK, distinct), shape.Hidden, shape.Intermediate, shape.Activation, shape.Format), seed);
        return new MoeWeights(shape, [.. Enumerable.Range(0, shape.Experts).Select(e => draw.Experts[e % distinct])]);
    }

    // Gathered activations, intermediate and partials for MaxTokens (a generous bound; the layer reports the exact one).
    private static long WorkspaceEstimate(MoeShape shape)
    {
        var rows = ((long)MaxTokens * shape.TopK) + (64L * shape.Experts);
        return (rows * (shape.Hidden + shape.Intermediate + 256) * 2) + ((long)MaxTokens * shape.TopK * shape.Hidden * 2);
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
