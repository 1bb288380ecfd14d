using System.Globalization;
using Microsoft.Extensions.Logging;
using MoeTune.Engine.Autotuning.Probing;
using MoeTune.Engine.Backends;
using MoeTune.Engine.Logging;
using MoeTune.Engine.Selection;
using MoeTune.Tuning;
using MoeTune.TuningDb;

namespace MoeTune.Engine.Autotuning;

/// <summary>
/// The autotuner driver (DESIGN.md "Tuning"): every registered backend is checked for support, gated against the CPU
/// reference and timed per token bucket, unless the store already holds a valid measurement of it (same plugin
/// version and kernels, same driver); then the plan rules choose a plan, keeping the incumbent within the tie margin,
/// and measurements and decision are stored. Candidates that <see cref="TuneSettings.Isolation"/> covers are measured
/// in a probe child (<see cref="CandidateProber"/>), so that a crash, a hang or a poisoned CUDA context fails that
/// candidate only; the others run in this process.
/// </summary>
public sealed class Autotuner
{
    private readonly BackendCatalog _catalog;
    private readonly TuningStore _store;
    private readonly IProbeLauncher _probeLauncher;
    private readonly ILogger<Autotuner> _logger;
    private readonly TimeProvider _clock;

    public Autotuner(BackendCatalog catalog, TuningStore store, IProbeLauncher probeLauncher, ILogger<Autotuner> logger, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(probeLauncher);
        ArgumentNullException.ThrowIfNull(logger);
        _catalog = catalog;
        _store = store;
        _probeLauncher = probeLauncher;
        _logger = logger;
        _clock = clock ?? TimeProvider.System;
    }

    /// <exception cref="TuningFailedException">No candidate can win; the statuses say why.</exception>
    public TuneResult Tune(TuneRequest request, IProgress<TuningProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ValidateBuckets(request.Buckets);
        ValidateIsolation(request.Settings);
        var device = request.Device.Info;
        var shape = request.Weights.Shape;
        var candidates = _catalog.InPriorityOrder;
        var keys = candidates.Select(c => PluginKey.Of(c.Backend)).ToArray();
        var reusable = request.Settings.Force ? [] : Reusable(_store.GetMeasurements(device, shape, keys), request);
        var recorder = new CandidateRecorder(request, ToolInfo.Version, _clock);
        var gate = new Lazy<GateCase>(() => new GateCase(request.Weights, request.Settings.Seed));
        var measurer = new Lazy<CandidateMeasurer>(() => new CandidateMeasurer(request, gate.Value, recorder, _clock));
        using var prober = new CandidateProber(request, _catalog, _probeLauncher, recorder, _logger);

        var measurements = new List<CandidateMeasurement>();
        var statuses = new List<CandidateStatus>();
        var reused = new List<string>();
        for (var i = 0; i < candidates.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var backend = candidates[i].Backend;
            var steps = request.Buckets.Count + 1;
            if (reusable.TryGetValue(backend.Name, out var stored) && BackendSupport.Check(backend, device, shape).IsSupported)
            {
                measurements.Add(stored);
                var reusedStatus = CandidateStatus.From(stored);
                statuses.Add(reusedStatus with { Detail = string.Join("; ", new[] { reusedStatus.Detail, "reused from the store" }.Where(d => d.Length > 0)) });
                reused.Add(backend.Name);
                progress?.Report(new TuningProgress(backend.Name, i, candidates.Count, "reused from the store", steps, steps));
                continue;
            }

            var index = i;
            void Report(string activity, int done) => progress?.Report(new TuningProgress(backend.Name, index, candidates.Count, activity, done, steps));
            var measurement = request.Settings.Isolation.Covers(candidates[i])
                ? prober.Probe(candidates[i], Report, cancellationToken)
                : measurer.Value.Measure(backend, Report);

            progress?.Report(new TuningProgress(backend.Name, i, candidates.Count, Describe(measurement), steps, steps));
            _store.SaveMeasurement(measurement);
            var status = CandidateStatus.From(measurement);
            EngineLog.CandidateMeasured(_logger, status);
            statuses.Add(status);
            if (measurement.Outcome != CandidateOutcome.Unsupported)
            {
                measurements.Add(measurement);
            }
        }

        var choice = Choose(request, measurements, statuses, keys);
        var decision = TuningDecision.From(choice, GpuClass.Of(device), shape, keys, Provenance.Capture(device, ToolInfo.Version, _clock.GetUtcNow()));
        _store.SaveDecision(decision);
        if (request.Label is { } label)
        {
            _store.AddProblemLabel(shape, label);
        }

        EngineLog.DecisionStored(_logger, choice, shape, device);
        return new TuneResult(choice, decision, measurements, statuses, reused);
    }

    private PlanChoice Choose(TuneRequest request, List<CandidateMeasurement> measurements, List<CandidateStatus> statuses, PluginKey[] keys)
    {
        var buckets = request.Buckets.ToHashSet();
        var results = measurements
            .Select(m => m.ToCandidateResult())
            .Select(r => r with { MedianMicroseconds = r.MedianMicroseconds.Where(p => buckets.Contains(p.Key)).ToDictionary() })
            .ToList();
        var incumbent = _store.GetDecision(request.Device.Info, request.Weights.Shape, request.Settings.Objective, keys)?.Decision.Plan;
        try
        {
            return PlanChooser.ChoosePlan(results, request.Settings.Objective, incumbent, new PlanOptions { AllowHybrid = request.Settings.AllowHybrid });
        }
        catch (InvalidOperationException ex)
        {
            var ran = measurements.Where(m => m.Outcome != CandidateOutcome.Unsupported).ToList();
            var incorrect = ran.Count > 0 && ran.All(m => m.Outcome == CandidateOutcome.Incorrect);
            throw new TuningFailedException(
                $"tuning {request.Weights.Shape.CanonicalText} on {request.Device.Info} chose nothing: {ex.Message}",
                statuses,
                incorrect);
        }
    }

    /// <summary>
    /// Stored measurements worth keeping: taken under this driver, and either timed at every requested bucket or
    /// found incorrect (a wrong answer from the same plugin version stays wrong). Failures are retried.
    /// </summary>
    private static Dictionary<string, CandidateMeasurement> Reusable(IReadOnlyList<CandidateMeasurement> stored, TuneRequest request) =>
        stored
            .Where(m => m.DriverVersion == request.Device.Info.DriverVersion)
            .Where(m => m.Outcome == CandidateOutcome.Incorrect
                || (m.Outcome == CandidateOutcome.Ok && request.Buckets.All(b => m.Buckets.Any(t => t.Tokens == b))))
            .ToDictionary(m => m.Plugin.Backend, StringComparer.Ordinal);

    private static string Describe(CandidateMeasurement measurement) => measurement.Outcome switch
    {
        CandidateOutcome.Ok => "timed",
        CandidateOutcome.Unsupported => "unsupported",
        CandidateOutcome.Incorrect => "incorrect",
        _ => "failed",
    };

    private static void ValidateIsolation(TuneSettings settings)
    {
        if (!Enum.IsDefined(settings.Isolation))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{(int)settings.Isolation} is not a candidate isolation"));
        }

        if (settings.ProbeTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"the probe timeout must be positive, got {timeout}");
        }
    }

    private static void ValidateBuckets(IReadOnlyList<int> buckets)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        if (buckets.Count == 0)
        {
            throw new ArgumentException("tuning needs at least one token bucket");
        }

        var bad = buckets.FirstOrDefault(b => !TokenBuckets.IsBucket(b), -1);
        if (bad != -1)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{bad} tokens is not a bucket; buckets are powers of two from {TokenBuckets.Smallest} to {TokenBuckets.Largest}"));
        }

        if (buckets.Distinct().Count() != buckets.Count)
        {
            throw new ArgumentException("a token bucket is listed twice");
        }
    }
}
