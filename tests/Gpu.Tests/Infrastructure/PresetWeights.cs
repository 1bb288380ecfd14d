using System.Diagnostics;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;
using MoeTune.Models;
using MoeTune.Reference.Layer;
using MoeTune.Reference.Synthetic;

namespace MoeTune.Gpu.Tests.Infrastructure;

/// <summary>
/// Fresh random weights for one preset in one format (seed in the output), and the CPU reference over them.
/// <para>
/// Only D = min(E, <see cref="MaxDistinctExperts"/>) experts are drawn; expert e of the layer carries draw e mod D.
/// Drawing every expert of the largest presets (deepseek-v3: 11 G parameters) would cost 10 s or more and up to 22 GB
/// per format, while what a layer test checks does not need E distinct experts: the backend still stores,
/// indexes and streams all E, and the reference computes the same sums (it folds ids modulo D, which also keeps its
/// cost to D experts). An expert-indexing error still shows unless it is off by a multiple of D; D = 31 is prime,
/// so no power-of-two offset (a stride, shift or overflow error) is one. mixtral-8x7b and llama-4-scout have all
/// their experts distinct.
/// </para>
/// </summary>
public sealed class PresetWeights
{
    public const int MaxDistinctExperts = 31;

    /// <summary>
    /// Host bytes that experts being drawn may hold at once. SyntheticWeights draws one call's experts in parallel,
    /// each holding its float matrix (4 bytes a parameter) and the quantised copy (up to 2 more) until it is done; a
    /// bound keeps llama-4-scout's and mixtral-8x7b's large experts from taking 10+ GB at once on a 16-core host.
    /// </summary>
    private const long DrawBudgetBytes = 6L << 30;

    private const int DrawBytesPerParameter = 6;

    private readonly MoeWeights distinct;
    private readonly ReferenceMoeLayer reference;

    private PresetWeights(ModelSpec model, int seed, MoeWeights distinct, TimeSpan drawTime)
    {
        Model = model;
        Seed = seed;
        this.distinct = distinct;
        DrawTime = drawTime;
        Weights = new MoeWeights(model.Shape, [.. Enumerable.Range(0, model.Shape.Experts).Select(e => distinct.Experts[e % distinct.Experts.Count])]);
        reference = new ReferenceMoeLayer(distinct);
    }

    public ModelSpec Model { get; }

    /// <summary>The layer's weights: all E experts, expert e being draw e mod <see cref="DistinctExperts"/>.</summary>
    public MoeWeights Weights { get; }

    public int Seed { get; }

    public int DistinctExperts => distinct.Experts.Count;

    public TimeSpan DrawTime { get; }

    /// <summary>What a test's output needs to replay these weights.</summary>
    public string Description =>
        $"{Model.Name} {Model.Shape.Format.ToName()} weights: seed {Seed} (replay with {TestInputs.SeedVariable}={Seed}), " +
        $"{DistinctExperts} distinct experts over {Model.Shape.Experts}";

    /// <summary>Draws the weights of <paramref name="preset"/> in <paramref name="format"/> from a new seed.</summary>
    public static PresetWeights Generate(string preset, WeightFormat format)
    {
        var model = PresetCases.Find(preset).WithFormat(format);
        var seed = TestInputs.NewSeed();
        var clock = Stopwatch.StartNew();
        var drawn = Draw(model.Shape, Math.Min(model.Shape.Experts, MaxDistinctExperts), seed);
        return new PresetWeights(model, seed, drawn, clock.Elapsed);
    }

    /// <summary>
    /// The layer's output y [T, H] in float64 for hidden states [T, H] and the top-k ids [T, k] (of the E experts)
    /// and weights [T, k].
    /// </summary>
    public double[] Reference(ushort[] hidden, int[] ids, float[] weights, int tokens)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var experts = Model.Shape.Experts;
        var bad = Array.FindIndex(ids, id => id < 0 || id >= experts);
        Assert.True(bad < 0, $"{Model.Name}: top-k id {(bad < 0 ? 0 : ids[bad])} at {bad} is not an expert (0..{experts - 1})");
        return reference.Forward(hidden, [.. ids.Select(id => id % DistinctExperts)], weights, tokens);
    }

    /// <summary>
    /// <paramref name="count"/> experts of <paramref name="shape"/>, drawn in as few calls as
    /// <see cref="DrawBudgetBytes"/> allows, each from its own seed.
    /// </summary>
    private static MoeWeights Draw(MoeShape shape, int count, int seed)
    {
        if (shape.TopK > count)
        {
            throw new InvalidOperationException($"top-{shape.TopK} needs at least {shape.TopK} distinct experts, not {count}");
        }

        var perCallLimit = (int)Math.Clamp(DrawBudgetBytes / (shape.ParametersPerExpert * DrawBytesPerParameter), 1, count);
        var calls = (count + perCallLimit - 1) / perCallLimit;
        var experts = new List<ExpertWeights>(count);
        for (var call = 0; call < calls; call++)
        {
            // Even batches: llama-4-scout's 16 experts go as 8 + 8, not 10 + 6, so that no call runs on few cores.
            var first = count * call / calls;
            var size = (count * (call + 1) / calls) - first;
            var batch = new MoeShape(size, Math.Min(shape.TopK, size), shape.Hidden, shape.Intermediate, shape.Activation, shape.Format);
            experts.AddRange(SyntheticWeights.Generate(batch, unchecked(seed + call)).Experts);
        }

        return new MoeWeights(new MoeShape(count, shape.TopK, shape.Hidden, shape.Intermediate, shape.Activation, shape.Format), experts);
    }
}
