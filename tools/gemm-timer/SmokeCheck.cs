using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Cuda.Compilation;
using MoeTune.Cuda.Driver;
using MoeTune.Plugins.FlashInferCutlass.Kernels;
using MoeTune.Plugins.FlashInferCutlass.Runtime;
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
                var routing = SyntheticInputs.DrawRouting(RoutingDistribution.Zipf(1.0), tokens, shape.Experts, shape.TopK, seed: 19);
                using var inputs = InputSet.Upload(context, stream, shape, SyntheticInputs.HiddenStates(tokens, shape.Hidden, seed: 18), routing);
                var reference = ReferenceSample.Compute(weights, inputs, tokens);
                using var layer = FlashInferCutlassLayer.Create(weights, new PrepareContext(device, tokens, stream.Handle), compiler, NullLogger.Instance, options.Pipelines[0]);
                foreach (var pipeline in options.Pipelines)
                {
                    if (layer.Pipeline != pipeline) layer.UsePipeline(pipeline, weights);
                    var what = $"smoke {pipeline} {shape.CanonicalText} T={tokens}";
                    var error = reference.RelativeError(inputs.ForwardRows(layer, context, stream, reference.Tokens, what));
                    var ok = error <= ReferenceSample.Tolerance;
                    passed &= ok;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{(ok ? "PASS" : "FAIL")} {what}: relative error {error:E2}"));
                }
            }
        }

        return passed;
    }
}
