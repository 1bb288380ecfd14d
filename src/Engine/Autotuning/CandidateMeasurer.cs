using System.Diagnostics;
using System.Globalization;
using MoeTune.Abstractions.Backends;
using MoeTune.Engine.Accuracy;
using MoeTune.Engine.Backends;
using MoeTune.Engine.Plugins;
using MoeTune.Tuning;
using MoeTune.TuningDb;

namespace MoeTune.Engine.Autotuning;

/// <summary>
/// Measures one candidate: support check, prepare, the correctness gate, then one timing per token bucket within
/// the candidate's budget. Whatever the backend throws becomes a Failed measurement naming the step: plugin code is
/// foreign, and one bad candidate must not end the tune. The tuner runs it in-process, and a probe child
/// (<see cref="Probing.ProbeWorker"/>) runs the same code for an isolated candidate.
/// </summary>
internal sealed class CandidateMeasurer(TuneRequest request, GateCase gate, CandidateRecorder recorder, TimeProvider clock)
{
    public CandidateMeasurement Measure(IMoeBackend backend, Action<string, int> progress)
    {
        var device = request.Device;
        var shape = request.Weights.Shape;
        var support = BackendSupport.Check(backend, device.Info, shape);
        if (!support.IsSupported)
        {
            return Record(backend, CandidateOutcome.Unsupported, support.Reason);
        }

        var step = "prepare";
        try
        {
            progress("prepare", 0);
            var maxTokens = Math.Max(GateCase.Tokens, request.Buckets.Max());
            using var layer = backend.Prepare(request.Weights, device.PrepareContext(maxTokens));
            step = "correctness gate";
            progress(step, 0);
            double error;
            using (var tensors = device.AllocateTensors(shape, GateCase.Tokens))
            {
                error = gate.Check(layer, device, tensors);
            }

            if (!(error <= RelativeError.Bf16Tolerance))
            {
                var finite = double.IsFinite(error);
                return Record(backend, CandidateOutcome.Incorrect, finite
                    ? string.Create(CultureInfo.InvariantCulture, $"relative Frobenius error {error:0.####} > {RelativeError.Bf16Tolerance}")
                    : "output holds NaN or infinity (left unwritten or overflowed)") with { CorrectnessError = finite ? error : null };
            }

            var (timings, note) = TimeBuckets(layer, progress, s => step = s);
            return Record(backend, CandidateOutcome.Ok, note) with
            {
                CorrectnessError = error,
                WeightBytes = layer.WeightBytes,
                WorkspaceBytes = layer.WorkspaceBytes,
                Buckets = timings,
            };
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return Record(backend, CandidateOutcome.Failed, $"{step}: {PluginCatalog.Describe(ex)}");
        }
    }

    private (List<BucketTiming> Timings, string Note) TimeBuckets(IPreparedMoeLayer layer, Action<string, int> progress, Action<string> setStep)
    {
        var runner = new MeasurementRunner(request.Settings.Policy, clock);
        var perBucket = request.Settings.Policy.BudgetPerMeasurement(request.Buckets.Count);
        var timings = new List<BucketTiming>();
        var started = Stopwatch.GetTimestamp();
        foreach (var tokens in request.Buckets.Order())
        {
            // The candidate's budget bounds all its buckets: a slow candidate keeps the buckets it finished.
            if (timings.Count > 0 && Stopwatch.GetElapsedTime(started) >= request.Settings.Policy.CandidateBudget)
            {
                return (timings, string.Create(CultureInfo.InvariantCulture,
                    $"budget of {request.Settings.Policy.CandidateBudget.TotalSeconds:0.#} s spent before {tokens} tokens"));
            }

            var activity = string.Create(CultureInfo.InvariantCulture, $"{tokens} tokens");
            setStep(activity);
            progress(activity, timings.Count + 1);
            var rotation = InputRotation.Create(request.Device, request.Weights.Shape, tokens, request.Settings.Routing, request.Settings.Seed);
            try
            {
                using var sampler = request.Device.CreateSampler(layer, rotation);
                timings.Add(BucketTiming.From(tokens, runner.Run(sampler.Sample, perBucket)));
            }
            finally
            {
                foreach (var set in rotation)
                {
                    set.Dispose();
                }
            }
        }

        return (timings, "");
    }

    private CandidateMeasurement Record(IMoeBackend backend, CandidateOutcome outcome, string detail) => recorder.Record(backend, outcome, detail);
}
