using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Tensors;
using MoeTune.Cuda.Driver;
using MoeTune.Gpu.Tests.Infrastructure;
using MoeTune.Models.Presets;
using MoeTune.Plugins.FlashInferCutlass;
using MoeTune.Reference.Formats;

namespace MoeTune.Gpu.Tests.Backends;

/// <summary>
/// FlashInferCutlass against the CPU reference: every preset it serves, in bf16 and NVFP4, at T = 1, 3, 64, 1000, 4096
/// and 16384, plus ragged routings (every token on one expert, repeated ids; T = 3 leaves most experts empty and
/// T = 1000 is off every tile size). Inputs are fresh each run (seeds in the output), the output is poisoned with bf16
/// NaN before each forward, every element must be finite and the relative Frobenius error at most 1e-2. Two identical
/// forwards must agree bit for bit (the combine is deterministic). Above 32 tokens the reference runs on a random
/// sample of 32 tokens only (the CPU reference is slow at large T, and the layer treats tokens independently) while
/// every output element is still checked finite.
/// </summary>
[TestCaseOrderer(typeof(FlashInferCutlassCaseOrder))]
public sealed class FlashInferCutlassTests(GpuFixture gpu, FlashInferCutlassLayers layers) : IClassFixture<FlashInferCutlassLayers>
{
    private const double Tolerance = 1e-2;
    private const int SampledTokens = 32;
    private const uint PoisonPair = ((uint)Poison.Bf16 << 16) | Poison.Bf16;

    public static TheoryData<string, WeightFormat, int, MarlinRouting> Cases()
    {
        var data = new TheoryData<string, WeightFormat, int, MarlinRouting>();
        foreach (var preset in ModelPresets.All.Where(p => p.Shape.Activation != Activation.ClampedSwiGlu))
        {
            foreach (var format in new[] { WeightFormat.Bf16, WeightFormat.Nvfp4 })
            {
                foreach (var tokens in new[] { 1, 3, 64, 1000, 4096, 16384 })
                {
                    data.Add(preset.Name, format, tokens, MarlinRouting.Router);
                }
            }
        }

        data.Add("qwen3-30b-a3b", WeightFormat.Bf16, 1000, MarlinRouting.OneExpert);
        data.Add("qwen3-30b-a3b", WeightFormat.Nvfp4, 4096, MarlinRouting.OneExpert);
        data.Add("mixtral-8x7b", WeightFormat.Nvfp4, 4096, MarlinRouting.OneExpert);
        data.Add("llama-4-scout", WeightFormat.Bf16, 700, MarlinRouting.OneExpert);
        data.Add("nemotron-3-super", WeightFormat.Nvfp4, 17, MarlinRouting.Repeats);
        data.Add("deepseek-v3", WeightFormat.Nvfp4, 100, MarlinRouting.Repeats);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_matches_the_reference(string preset, WeightFormat format, int tokens, MarlinRouting routing)
    {
        var context = gpu.Require();
        var entry = layers.Get(gpu, preset, format);
        var shape = entry.Model.Shape;
        var random = TestInputs.NewRandom($"FlashInferCutlass {preset} {format} T={tokens} {routing}");
        var hidden = TestInputs.NormalBf16(random, tokens * shape.Hidden);
        var (ids, weights) = MarlinRoutings.Draw(routing, entry.Model, tokens, random);

        using var stream = CudaStream.Create(context);
        using var tensors = new Tensors(context, shape, tokens);
        tensors.Upload(hidden, ids, weights);
        var output = tensors.Forward(entry.Layer, stream);
        var what = $"FlashInferCutlass {preset} {format} T={tokens} {routing}";
        AssertFinite(output, shape.Hidden, what);
        AssertIdentical(output, tensors.Forward(entry.Layer, stream), $"{what}: a second forward of the same inputs");

        var sample = tokens <= SampledTokens
            ? Enumerable.Range(0, tokens).ToArray()
            : Enumerable.Range(0, tokens).OrderBy(_ => random.Next()).Take(SampledTokens).Order().ToArray();
        var expected = entry.Reference.Forward(
            Rows(hidden, sample, shape.Hidden), Rows(ids, sample, shape.TopK), Rows(weights, sample, shape.TopK), sample.Length);
        var error = RelativeError(Rows(output, sample, shape.Hidden), expected);
        var scope = sample.Length == tokens ? $"all {tokens} tokens" : $"a sample of {sample.Length} of {tokens} tokens";
        TestContext.Current.TestOutputHelper?.WriteLine($"{what}: relative Frobenius error {error:E3} over {scope}");
        Assert.True(error <= Tolerance, $"{what}: relative error {error:E3} over {scope} exceeds {Tolerance}");
    }

    [Theory]
    [InlineData("qwen3-30b-a3b", WeightFormat.Bf16, 1)]
    [InlineData("qwen3-30b-a3b", WeightFormat.Nvfp4, 1000)]
    public void Graph_replays_match_direct_forwards(string preset, WeightFormat format, int tokens)
    {
        var context = gpu.Require();
        var entry = layers.Get(gpu, preset, format);
        var shape = entry.Model.Shape;
        var random = TestInputs.NewRandom($"FlashInferCutlass graph {preset} {format} T={tokens}");
        using var stream = CudaStream.Create(context);
        using var tensors = new Tensors(context, shape, tokens);
        using var graph = CudaGraph.Capture(stream, s => entry.Layer.Forward(tensors.Args(s.Handle)));
        using var replay = graph.Instantiate();
        for (var round = 0; round < 3; round++)
        {
            var (ids, weights) = MarlinRoutings.Draw(MarlinRouting.Router, entry.Model, tokens, random);
            tensors.Upload(TestInputs.NormalBf16(random, tokens * shape.Hidden), ids, weights);
            tensors.Output.FillAsync(PoisonPair, stream);
            replay.Launch(stream);
            FlashInferCutlassWatchdog.Synchronize(stream, $"graph replay {round} of {preset} {format} T={tokens}");
            var replayed = tensors.Output.Download<ushort>();
            AssertIdentical(tensors.Forward(entry.Layer, stream), replayed, $"round {round}: graph replay against a direct forward");
            AssertFinite(replayed, shape.Hidden, $"round {round}");
        }
    }

    [Fact]
    public void Zero_tokens_do_nothing_and_too_many_are_refused()
    {
        var context = gpu.Require();
        var entry = layers.Get(gpu, "qwen3-30b-a3b", WeightFormat.Nvfp4);
        using var stream = CudaStream.Create(context);
        using var tensors = new Tensors(context, entry.Model.Shape, 1);
        entry.Layer.Forward(tensors.Args(stream.Handle) with { Tokens = 0 });
        FlashInferCutlassWatchdog.Synchronize(stream, "a forward of 0 tokens");
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            entry.Layer.Forward(tensors.Args(stream.Handle) with { Tokens = FlashInferCutlassLayers.MaxTokens + 1 }));
        Assert.Contains($"{FlashInferCutlassLayers.MaxTokens}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gpt_oss_is_refused_with_the_reason()
    {
        gpu.Require();
        var backend = new FlashInferCutlassBackend(gpu.Compiler!);
        var decision = backend.CheckSupport(gpu.Device!.ToDeviceInfo(), ModelPresets.Find("gpt-oss-120b").Shape);
        Assert.False(decision.IsSupported);
        Assert.Contains("swiglu-clamped", decision.Reason, StringComparison.Ordinal);
    }

    private static T[] Rows<T>(T[] values, int[] rows, int width) =>
        rows.SelectMany(r => values.AsSpan(r * width, width).ToArray()).ToArray();

    private static double RelativeError(ushort[] actual, double[] expected)
    {
        double difference = 0, norm = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            var d = Bf16.ToFloat(actual[i]) - expected[i];
            difference += d * d;
            norm += expected[i] * expected[i];
        }

        return Math.Sqrt(difference / norm);
    }

    private static void AssertFinite(ushort[] output, int hidden, string what)
    {
        var bad = Array.FindIndex(output, v => (v & 0x7F80) == 0x7F80);
        Assert.True(bad < 0, $"{what}: output[{(bad < 0 ? 0 : bad / hidden)}, {(bad < 0 ? 0 : bad % hidden)}] is not finite (bf16 0x{(bad < 0 ? 0 : output[bad]):X4})");
    }

    private static void AssertIdentical(ushort[] expected, ushort[] actual, string what)
    {
        var first = Enumerable.Range(0, expected.Length).FirstOrDefault(i => expected[i] != actual[i], -1);
        Assert.True(first < 0, $"{what}: element {first} differs (0x{(first < 0 ? 0 : expected[first]):X4} against 0x{(first < 0 ? 0 : actual[first]):X4})");
    }

    /// <summary>One forward's device tensors.</summary>
    private sealed class Tensors(CudaContext context, MoeShape shape, int tokens) : IDisposable
    {
        public DeviceBuffer Hidden { get; } = DeviceBuffer.Allocate<ushort>(context, (long)tokens * shape.Hidden);

        public DeviceBuffer Ids { get; } = DeviceBuffer.Allocate<int>(context, (long)tokens * shape.TopK);

        public DeviceBuffer Weights { get; } = DeviceBuffer.Allocate<float>(context, (long)tokens * shape.TopK);

        public DeviceBuffer Output { get; } = DeviceBuffer.Allocate<ushort>(context, (long)tokens * shape.Hidden);

        public MoeForwardArgs Args(nint stream) => new(
            tokens,
            Hidden.AsTensor(DType.Bf16, tokens, shape.Hidden),
            Ids.AsTensor(DType.I32, tokens, shape.TopK),
            Weights.AsTensor(DType.F32, tokens, shape.TopK),
            Output.AsTensor(DType.Bf16, tokens, shape.Hidden),
            stream);

        public void Upload(ushort[] hidden, int[] ids, float[] weights)
        {
            Hidden.Upload<ushort>(hidden);
            Ids.Upload<int>(ids);
            Weights.Upload<float>(weights);
        }

        /// <summary>Poisons the output, runs the layer and returns what it wrote.</summary>
        public ushort[] Forward(IPreparedMoeLayer layer, CudaStream stream)
        {
            Output.FillAsync(PoisonPair, stream);
            layer.Forward(Args(stream.Handle));
            FlashInferCutlassWatchdog.Synchronize(stream, $"a forward of {shape} at T={tokens}");
            return Output.Download<ushort>();
        }

        public void Dispose()
        {
            Output.Dispose();
            Weights.Dispose();
            Ids.Dispose();
            Hidden.Dispose();
        }
    }
}
