using System.Globalization;
using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Cuda.Ceilings.CublasLt;
using MoeTune.Engine.Autotuning;
using MoeTune.Engine.Backends;
using MoeTune.Engine.Plugins;
using MoeTune.Reference.Synthetic;

namespace MoeTune.Engine.Bench.Ceilings;

/// <summary>
/// The dense matrix rate where cuBLASLt cannot give it: our own best kernel, found by timing every CUDA backend on a
/// one-expert, top-1 layer (a dense MLP) at <see cref="Tokens"/> tokens and keeping the fastest. The ceiling's method
/// names the backend and its reason names why cuBLASLt was not used, so the figure is never taken for cuBLASLt's.
/// </summary>
internal sealed class OwnKernelMatrixRate(BenchContext context, IReadOnlyList<RegisteredBackend> backends)
{
    /// <summary>Tokens of the dense layer: enough rows for every backend to reach its large-tile throughput path.</summary>
    public const int Tokens = 4096;

    /// <summary>Hidden and intermediate size of the dense layer: 2·4096·(8192·4096 + 4096·4096) = 412 GFLOP per forward.</summary>
    public const int Size = 4096;

    /// <summary>Each backend's timing budget here; fixed, since it is outside the run's planned timings.</summary>
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);

    public Ceiling Measure(DenseGemmPrecision precision, string cublasReason)
    {
        var kind = precision == DenseGemmPrecision.Bf16 ? CeilingKind.Bf16MatrixRate : CeilingKind.Fp8MatrixRate;
        var format = precision == DenseGemmPrecision.Bf16 ? WeightFormat.Bf16 : WeightFormat.Fp8;
        var shape = new MoeShape(1, 1, Size, Size, Activation.SwiGlu, format);
        var flops = 2.0 * Tokens * shape.ParametersPerExpert;
        var device = context.Device;
        var refusals = new List<string>();
        (string Backend, TimingSummary Timing)? best = null;
        var candidates = backends.Where(b => b.Backend.DeviceKind == DeviceKind.Cuda).ToList();
        var weights = new Lazy<Abstractions.Weights.MoeWeights>(() => SyntheticWeights.Generate(shape, context.Request.Seed));
        foreach (var candidate in candidates)
        {
            try
            {
                var support = candidate.Backend.CheckSupport(device.Info, shape);
                if (!support.IsSupported)
                {
                    refusals.Add($"{candidate.Name}: {support.Reason}");
                    continue;
                }

                context.Progress.Report($"{kind}: own kernel {candidate.Name}");
                using var layer = candidate.Backend.Prepare(weights.Value, device.PrepareContext(Tokens));
                var rotation = InputRotation.Create(device, shape, Tokens, RoutingDistribution.Uniform, context.Request.Seed);
                try
                {
                    using var sampler = device.CreateSampler(layer, rotation, graphReplay: false);
                    var timing = TimingSummary.From(context.Runner.Run(sampler.Sample, Budget));
                    if (best is null || timing.MedianMicroseconds < best.Value.Timing.MedianMicroseconds)
                    {
                        best = (candidate.Name, timing);
                    }
                }
                finally
                {
                    rotation.ToList().ForEach(r => r.Dispose());
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                if (context.Poison.Check(ex, $"timing {candidate.Name} for the {kind} ceiling"))
                {
                    break;
                }

                refusals.Add($"{candidate.Name} failed: {PluginCatalog.Describe(ex)}");
            }
        }

        if (best is { } won)
        {
            var method = string.Create(CultureInfo.InvariantCulture, $"own kernel: {won.Backend} on a dense one-expert {shape.CanonicalText} layer at {Tokens} tokens (not cuBLASLt)");
            return Ceiling.Measured(kind, method, flops, won.Timing, cublasReason);
        }

        var why = candidates.Count == 0 ? "no CUDA backend is registered" : string.Join("; ", refusals);
        return Ceiling.Missing(kind, "own kernels", $"{cublasReason}; no own kernel could stand in: {why}");
    }
}
