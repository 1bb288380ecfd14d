using MoeTune.Abstractions.Problems;
using MoeTune.Cuda.Driver;
using MoeTune.Gpu.Tests.Infrastructure;

namespace MoeTune.Gpu.Tests.Backends;

/// <summary>
/// Every backend × preset × token count the issues name (<see cref="LayerCases"/>) against the CPU reference, on
/// weights drawn fresh each run (<see cref="PresetWeights"/>) and fresh inputs (seeds in the output). The output is
/// poisoned with bf16 NaN before each forward; every element must be finite, the relative Frobenius error on the
/// <see cref="TokenSample"/> at most <see cref="OutputChecks.Tolerance"/>, and two forwards of the same inputs must
/// agree bit for bit (both backends reduce the top-k deterministically). Also: CUDA-graph replays, the token limits,
/// and refusals that give their reason.
/// </summary>
public sealed class LayerTests(GpuFixture gpu, LayerCache layers)
{
    [Theory]
    [MemberData(nameof(LayerCases.Forwards), MemberType = typeof(LayerCases))]
    public void Forward_matches_the_reference(string backend, string preset, WeightFormat format, int tokens, TestRouting routing)
    {
        var context = gpu.Require();
        var (weights, layer) = layers.Get(gpu, TestedBackends.Find(backend), preset, format);
        var shape = weights.Model.Shape;
        var what = $"{backend} {preset} {format.ToName()} T={tokens} {routing}";
        var random = TestInputs.NewRandom(what);
        var hidden = TestInputs.NormalBf16(random, tokens * shape.Hidden);
        var (ids, routeWeights) = TestRoutings.Draw(routing, weights.Model, tokens, random);

        using var stream = CudaStream.Create(context);
        using var tensors = new ForwardTensors(context, shape, tokens);
        tensors.Upload(hidden, ids, routeWeights);
        var output = tensors.Forward(layer, stream);
        OutputChecks.AssertFinite(output, shape.Hidden, what);
        OutputChecks.AssertIdentical(output, tensors.Forward(layer, stream), $"{what}: a second forward of the same inputs");

        var sample = TokenSample.Draw(tokens, random);
        var expected = weights.Reference(
            sample.Rows(hidden, shape.Hidden), sample.Rows(ids, shape.TopK), sample.Rows(routeWeights, shape.TopK), sample.Count);
        var error = OutputChecks.RelativeError(sample.Rows(output, shape.Hidden), expected);
        TestContext.Current.TestOutputHelper?.WriteLine($"{what}: relative Frobenius error {error:E3} over {sample.Scope}");
        Assert.True(error <= OutputChecks.Tolerance, $"{what}: relative error {error:E3} over {sample.Scope} exceeds {OutputChecks.Tolerance}");
    }

    [Theory]
    [MemberData(nameof(LayerCases.GraphReplays), MemberType = typeof(LayerCases))]
    public void Graph_replays_match_direct_forwards(string backend, string preset, WeightFormat format, int tokens)
    {
        var context = gpu.Require();
        var (weights, layer) = layers.Get(gpu, TestedBackends.Find(backend), preset, format);
        var shape = weights.Model.Shape;
        var random = TestInputs.NewRandom($"{backend} graph {preset} {format.ToName()} T={tokens}");
        using var stream = CudaStream.Create(context);
        using var tensors = new ForwardTensors(context, shape, tokens);
        using var graph = CudaGraph.Capture(stream, s => layer.Forward(tensors.Args(s.Handle)));
        using var replay = graph.Instantiate();
        for (var round = 0; round < 3; round++)
        {
            var (ids, routeWeights) = TestRoutings.Draw(TestRouting.Router, weights.Model, tokens, random);
            tensors.Upload(TestInputs.NormalBf16(random, tokens * shape.Hidden), ids, routeWeights);
            tensors.Output.FillAsync(Poison.Bf16, stream);
            replay.Launch(stream);
            StreamWatchdog.Synchronize(stream, $"graph replay {round} of {backend} {preset} {format.ToName()} T={tokens}");
            var replayed = tensors.Output.Download<ushort>();
            OutputChecks.AssertIdentical(tensors.Forward(layer, stream), replayed, $"round {round}: graph replay against a direct forward");
            OutputChecks.AssertFinite(replayed, shape.Hidden, $"round {round}");
        }
    }

    [Theory]
    [MemberData(nameof(LayerCases.TokenLimits), MemberType = typeof(LayerCases))]
    public void Zero_tokens_write_nothing_and_too_many_are_refused(string backend, string preset, WeightFormat format)
    {
        var context = gpu.Require();
        var tested = TestedBackends.Find(backend);
        var (weights, layer) = layers.Get(gpu, tested, preset, format);
        using var stream = CudaStream.Create(context);
        using var tensors = new ForwardTensors(context, weights.Model.Shape, 1);
        tensors.Output.FillAsync(Poison.Bf16, stream);
        layer.Forward(tensors.Args(stream.Handle) with { Tokens = 0 });
        StreamWatchdog.Synchronize(stream, $"a forward of 0 tokens on {backend}");
        Assert.All(tensors.Output.Download<ushort>(), v => Assert.Equal(Poison.Bf16, v));

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => layer.Forward(tensors.Args(stream.Handle) with { Tokens = tested.MaxTokens + 1 }));
        Assert.Contains($"{tested.MaxTokens}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(LayerCases.Refusals), MemberType = typeof(LayerCases))]
    public void Unsupported_problems_are_refused_with_the_reason(string backend, string preset, WeightFormat format, string reason)
    {
        gpu.Require();
        var shape = PresetCases.Find(preset).WithFormat(format).Shape;
        var decision = TestedBackends.Find(backend).Create(gpu.Compiler!).CheckSupport(gpu.Device!.ToDeviceInfo(), shape);
        Assert.False(decision.IsSupported, $"{backend} accepts {shape.CanonicalText}");
        Assert.Contains(reason, decision.Reason, StringComparison.Ordinal);
    }
}
