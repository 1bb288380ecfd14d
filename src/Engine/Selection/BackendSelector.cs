using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using MoeTune.Engine.Autotuning;
using MoeTune.Engine.Backends;
using MoeTune.Engine.Logging;
using MoeTune.TuningDb;

namespace MoeTune.Engine.Selection;

/// <summary>
/// Chooses the backend for a problem on a device: gathers the inputs of <see cref="SelectionPrecedence"/> (support
/// answers, the environment, the stored decision), applies it, runs the autotune where it says so, and logs the one
/// INFO line with the choice, its source and every candidate's status.
/// </summary>
public sealed class BackendSelector
{
    private readonly BackendCatalog _catalog;
    private readonly TuningStore _store;
    private readonly Autotuner _tuner;
    private readonly EnvironmentSnapshot _environment;
    private readonly ILogger<BackendSelector> _logger;

    public BackendSelector(BackendCatalog catalog, TuningStore store, Autotuner tuner, EnvironmentSnapshot environment, ILogger<BackendSelector> logger)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(tuner);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(logger);
        _catalog = catalog;
        _store = store;
        _tuner = tuner;
        _environment = environment;
        _logger = logger;
    }

    /// <summary>What selection would do, without doing it (no tuning, no logging).</summary>
    public SelectionPreview Preview(SelectionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var device = request.Device.Info;
        var keys = _catalog.InPriorityOrder.Select(b => PluginKey.Of(b.Backend)).ToArray();
        var measured = _store.GetMeasurements(device, request.Problem, keys)
            .Where(m => m.DriverVersion == device.DriverVersion)
            .ToDictionary(m => m.Plugin.Backend, StringComparer.Ordinal);
        var candidates = _catalog.InPriorityOrder
            .Select(b => new PreviewCandidate(b, BackendSupport.Check(b.Backend, device, request.Problem), measured.GetValueOrDefault(b.Name)))
            .ToList();
        var stored = _store.GetDecision(device, request.Problem, request.Settings.Objective, keys);
        var inputs = new SelectionInputs(
            request.Backend,
            _environment,
            request.Problem.Format,
            stored,
            request.TuningEnabled,
            candidates.Select(c => SelectionCandidate.Of(c.Backend.Backend, c.Support)).ToList());
        return new SelectionPreview(inputs, SelectionPrecedence.Decide(inputs), candidates, stored);
    }

    /// <summary>Chooses, tuning where the precedence rule says so, and logs the choice.</summary>
    /// <exception cref="BackendSelectionException">A forced name is unknown or cannot run here, or nothing can.</exception>
    /// <exception cref="TuningFailedException">An autotune ran and no candidate could win.</exception>
    public SelectionResult Select(SelectionRequest request, IProgress<TuningProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var preview = Preview(request);
        foreach (var note in preview.Outcome.Notes)
        {
            EngineLog.SelectionNote(_logger, note);
        }

        var result = preview.Outcome switch
        {
            SelectionOutcome.Chosen chosen => new SelectionResult(
                chosen.Plan, chosen.Source, preview.SourceText!, preview.Candidates.Select(c => c.Status).ToList(), chosen.Notes, null),
            SelectionOutcome.Tune tune => Tune(request, preview, tune, progress, cancellationToken),
            SelectionOutcome.Rejected rejected => throw new BackendSelectionException(rejected.Kind, rejected.Message),
            _ => throw new InvalidOperationException($"unknown selection outcome {preview.Outcome.GetType().Name}"),
        };
        if (_logger.IsEnabled(LogLevel.Information))
        {
            LogChoice(request, result);
        }

        return result;
    }

    [SuppressMessage("Performance", "CA1873", Justification = "Called only where Information is enabled.")]
    private void LogChoice(SelectionRequest request, SelectionResult result) =>
        EngineLog.BackendChosen(
            _logger,
            result.Plan.ToString(),
            request.Label is { } label ? $"{label} ({request.Problem.CanonicalText})" : request.Problem.CanonicalText,
            request.Device.Info.ToString(),
            result.SourceText,
            string.Join("; ", result.Candidates));

    private SelectionResult Tune(SelectionRequest request, SelectionPreview preview, SelectionOutcome.Tune tune, IProgress<TuningProgress>? progress, CancellationToken cancellationToken)
    {
        var supported = preview.Candidates.Count(c => c.Support.IsSupported);
        EngineLog.TuningStarted(_logger, request.Problem, request.Device.Info, supported);
        var weights = request.Weights();
        if (weights.Shape != request.Problem)
        {
            throw new ArgumentException($"the weights are for {weights.Shape.CanonicalText}, the request for {request.Problem.CanonicalText}");
        }

        var tuned = _tuner.Tune(new TuneRequest(request.Device, weights, request.Settings, request.Label), progress, cancellationToken);
        return new SelectionResult(
            tuned.Choice.Plan, SelectionSource.Autotune, SelectionPrecedence.Describe(SelectionSource.Autotune, preview.Inputs), tuned.Statuses, tune.Notes, tuned);
    }
}
