using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Tensors;
using MoeTune.Abstractions.Weights;
using MoeTune.Cuda.Compilation;
using MoeTune.Cuda.Driver;
using MoeTune.Plugins.FlashInferCutlass.Kernels;
using MoeTune.Plugins.FlashInferCutlass.Runtime;
using MoeTune.Reference.Formats;
using MoeTune.Reference.Layer;
using MoeTune.Reference.Synthetic;

namespace MoeTune.Tools.GemmTimer;

/// <summary>
/// Every pipeline on small problems with every kind of padding, whole outputs against the reference, before any
/// timing: a K tail and a padded intermediate (H = 208, I = 176), one-block and two-block tiles (a hot expert), ReLU²,
/// and a batch with one token. Seconds, and a hang or a wrong result is named before the long runs start.
/// </summary>
internal static class SmokeCheck
{
    private static readonly (MoeShape Shape, int Tokens)[] Cases =
    [
        (new MoeShape(6, 2, 208, 176, Activation.SwiGlu, WeightFormat.Bf16), 150),
        (new MoeShape(16, 4, 1024, 768, Activation.SwiGlu, WeightFormat.Bf16), 700),
        (new MoeShape(8, 2, 512, 640, Activation.ReluSquared, WeightFormat.Bf16), 90),
        (new MoeShape(6, 2, 208, 176, Activation.SwiGlu, WeightFormat.Bf16), 1),
    ];

    /// <summary>Prints one line per pipeline, format and case; returns whether all passed.</summary>
    public static bool Run(CudaContext context, CudaStream stream, KernelCompiler compiler, DeviceInfo device, TimerOptions options)
    {
        var passed = true;
        foreach (var format in options.Formats)
        {
            foreach (var (baseShape, tokens) in Cases)
            {
                var shape = baseShape.WithFormat(format);
                var weights = SyntheticWeights.Generate(shape, seed: 17);
                var hidden = SyntheticInputs.HiddenStates(tokens, shape.Hidden, seed: 18);
                var routing = SyntheticInputs.DrawRouting(RoutingDistribution.Zipf(1.0), tokens, shape.Experts, shape.TopK, seed: 19);
                var expected = new ReferenceMoeLayer(weights).Forward(hidden, routing.Ids, routing.Weights, tokens);
                using var layer = FlashInferCutlassLayer.Create(weights, new PrepareContext(device, tokens, stream.Handle), compiler, NullLogger.Instance, options.Pipelines[0]);
                using var hiddenBuffer = DeviceBuffer.FromHost<ushort>(context, hidden);
                using var ids = DeviceBuffer.FromHost<int>(context, routing.Ids);
                using var routeWeights = DeviceBuffer.FromHost<float>(context, routing.Weights);
                using var output = DeviceBuffer.Allocate<ushort>(context, (long)tokens * shape.Hidden);
                var args = new MoeForwardArgs(
                    tokens,
                    hiddenBuffer.AsTensor(DType.Bf16, tokens, shape.Hidden),
                    ids.AsTensor(DType.I32, tokens, shape.TopK),
                    routeWeights.AsTensor(DType.F32, tokens, shape.TopK),
                    output.AsTensor(DType.Bf16, tokens, shape.Hidden),
                    stream.Handle);
                foreach (var pipeline in options.Pipelines)
                {
                    if (layer.Pipeline != pipeline) layer.UsePipeline(pipeline);
                    var what = $"smoke {pipeline} {shape.CanonicalText} T={tokens}";
                    output.FillAsync((ushort)0x7FC0, stream);
                    layer.Forward(args);
                    Watchdog.Await(context, stream, what);
                    var error = RelativeError(output.Download<ushort>(), expected);
                    var ok = error <= ReferenceSample.Tolerance;
                    passed &= ok;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{(ok ? "PASS" : "FAIL")} {what}: relative error {error:E2}"));
                }
            }
        }

        return passed;
    }

    private static double RelativeError(ushort[] actual, double[] expected)
    {
        double difference = 0, norm = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            var a = Bf16.ToFloat(actual[i]);
            if (!float.IsFinite(a)) return double.NaN;
            difference += (a - expected[i]) * (a - expected[i]);
            norm += expected[i] * expected[i];
        }

        return Math.Sqrt(difference / norm);
    }
}
