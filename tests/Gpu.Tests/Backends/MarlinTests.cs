using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Tensors;
using MoeTune.Cuda.Driver;
using MoeTune.Gpu.Tests.Infrastructure;
using MoeTune.Models.Presets;
using MoeTune.Reference.Formats;

namespace MoeTune.Gpu.Tests.Backends;

/// <summary>
/// Marlin against the CPU reference: every preset (gpt-oss-120b in MXFP4, the others in NVFP4) at T = 1, 3, 16, 64, 256,
/// 1024 and 4096, and ragged routings (T off every tile size, experts with no token, every token on one expert, repeated
/// ids). Inputs are fresh each run (seeds in the output), the output is poisoned with bf16 NaN before each forward, every
/// element must be finite and the relative Frobenius error at most 1e-2. Two identical forwards must agree bit for bit
/// (the top-k reduction is deterministic). Above 32 tokens the reference runs on a random sample of 32 tokens (the layer
/// treats tokens independently) while every output element is still checked finite.
/// </summary>
public sealed class MarlinTests(GpuFixture gpu, MarlinLayers layers) : IClassFixture<MarlinLayers>
{
    private const double Tolerance = 1e-2;
    private const int SampledTokens = 32;
    private const uint PoisonPair = ((uint)Poison.Bf16 << 16) | Poison.Bf16;

    public static TheoryData<string, int> Sweep()
    {
        var data = new TheoryData<string, int>();
        foreach (var preset in ModelPresets.All)
        {
            foreach (var tokens in new[] { 1, 3, 16, 64, 256, 1024, 4096 })
            {
                data.Add(preset.Name, tokens);
            }
        }

        return data;
    }

    public static TheoryData<string, int, MarlinRouting> Ragged() => new()
    {
        { "qwen3-30b-a3b", 1000, MarlinRouting.Router },
        { "gpt-oss-120b", 1000, MarlinRouting.Router },
        { "nemotron-3-super", 17, MarlinRouting.Router },
        { "qwen3-30b-a3b", 5, MarlinRouting.OneExpert },
        { "qwen3-30b-a3b", 300, MarlinRouting.OneExpert },
        { "mixtral-8x7b", 16, MarlinRouting.OneExpert },
        { "llama-4-scout", 9, MarlinRouting.OneExpert },
        { "llama-4-scout", 700, MarlinRouting.OneExpert },
        { "nemotron-3-super", 12, MarlinRouting.OneExpert },
        { "qwen3-30b-a3b", 4, MarlinRouting.Repeats },
        { "qwen3-30b-a3b", 16, MarlinRouting.Repeats },
        { "deepseek-v3", 100, MarlinRouting.Repeats },
    };

    [Theory]
    [MemberData(nameof(Sweep))]
    public void Forward_matches_the_reference(string preset, int tokens) => Check(preset, tokens, MarlinRouting.Router);

    [Theory]
    [MemberData(nameof(Ragged))]
    public void Ragged_routings_match_the_reference(string preset, int tokens, MarlinRouting routing) => Check(preset, tokens, routing);

    [Theory]
    [InlineData("qwen3-30b-a3b", 1)]
    [InlineData("qwen3-30b-a3b", 16)]
    [InlineData("mixtral-8x7b", 3)]
    [InlineData("nemotron-3-super", 64)]
    public void Graph_replays_match_direct_forwards(string preset, int tokens)
    {
        var context = gpu.Require();
        var entry = layers.Get(gpu, preset);
        var shape = entry.Model.Shape;
        var random = TestInputs.NewRandom($"Marlin graph {preset} T={tokens}");
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
            stream.Synchronize();
            var replayed = tensors.Output.Download<ushort>();
            var direct = tensors.Forward(entry.Layer, stream);
            AssertIdentical(direct, replayed, $"round {round}: graph replay against a direct forward");
            AssertFinite(replayed, shape.Hidden, $"round {round}");
        }
    }

    [Fact]
    public void Zero_tokens_do_nothing_and_too_many_are_refused()
    {
        var context = gpu.Require();
        var entry = layers.Get(gpu, "qwen3-30b-a3b");
        using var stream = CudaStream.Create(context);
        using var tensors = new Tensors(context, entry.Model.Shape, 1);
        entry.Layer.Forward(tensors.Args(stream.Handle) with { Tokens = 0 });
        stream.Synchronize();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => entry.Layer.Forward(tensors.Args(stream.Handle) with { Tokens = MarlinLayers.MaxTokens + 1 }));
        Assert.Contains($"{MarlinLayers.MaxTokens}", error.Message, StringComparison.Ordinal);
    }

    private void Check(string preset, int tokens, MarlinRouting routing)
    {
        var context = gpu.Require();
        var entry = layers.Get(gpu, preset);
        var shape = entry.Model.Shape;
        var random = TestInputs.NewRandom($"Marlin {preset} T={tokens} {routing}");
        var hidden = TestInputs.NormalBf16(random, tokens * shape.Hidden);
        var (ids, weights) = MarlinRoutings.Draw(routing, entry.Model, tokens, random);

        using var stream = CudaStream.Create(context);
        using var tensors = new Tensors(context, shape, tokens);
        tensors.Upload(hidden, ids, weights);
        var output = tensors.Forward(entry.Layer, stream);
        AssertFinite(output, shape.Hidden, $"{preset} T={tokens}");
        AssertIdentical(output, tensors.Forward(entry.Layer, stream), "a second forward of the same inputs");

        var sample = tokens <= SampledTokens
            ? Enumerable.Range(0, tokens).ToArray()
            : Enumerable.Range(0, tokens).OrderBy(_ => random.Next()).Take(SampledTokens).Order().ToArray();
        var expected = entry.Reference.Forward(
            Rows(hidden, sample, shape.Hidden), Rows(ids, sample, shape.TopK), Rows(weights, sample, shape.TopK), sample.Length);
        var error = RelativeError(Rows(output, sample, shape.Hidden), expected);
        var scope = sample.Length == tokens ? $"all {tokens} tokens" : $"a sample of {sample.Length} of {tokens} tokens";
        TestContext.Current.TestOutputHelper?.WriteLine($"Marlin {preset} T={tokens} {routing}: relative Frobenius error {error:E3} over {scope}");
        Assert.True(error <= Tolerance, $"Marlin {preset} T={tokens} {routing}: relative error {error:E3} over {scope} exceeds {Tolerance}");
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

    /// <summary>One forward's device tensors, allocated once and refilled per round.</summary>
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
            stream.Synchronize();
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
