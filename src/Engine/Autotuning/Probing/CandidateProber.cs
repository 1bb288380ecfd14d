using System.ComponentModel;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using MoeTune.Engine.Backends;
using MoeTune.Engine.Logging;
using MoeTune.Tuning;
using MoeTune.TuningDb;

namespace MoeTune.Engine.Autotuning.Probing;

/// <summary>
/// The tuner's side of isolation: measures a candidate in a probe child (<see cref="ProbeWorker"/>) and turns however
/// the child ended into a measurement: its own report where it finished, else a failure that says what happened
/// ("crashed: SIGSEGV during correctness gate", "timed out after 60 s during 64 tokens"). Owns one private temporary
/// folder per tune, holding the weights file every child reads and the request files, deleted on dispose.
/// </summary>
internal sealed class CandidateProber(TuneRequest request, BackendCatalog catalog, IProbeLauncher launcher, CandidateRecorder recorder, ILogger logger)
    : IDisposable
{
    private string? _folder;
    private string? _weightsFile;
    private int _probes;

    public CandidateMeasurement Probe(RegisteredBackend candidate, Action<string, int> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        var backend = candidate.Backend;

        // Support checks are cheap and answer in-process everywhere else (selection, 'moetune backends'): no child for a "no".
        var support = BackendSupport.Check(backend, request.Device.Info, request.Weights.Shape);
        if (!support.IsSupported)
        {
            return recorder.Record(backend, CandidateOutcome.Unsupported, support.Reason);
        }

        var timeout = request.Settings.EffectiveProbeTimeout;
        EngineLog.CandidateProbing(logger, backend.Name, timeout.TotalSeconds);
        ProbeRun run;
        try
        {
            var requestFile = WriteRequest(candidate.Name, progress);
            progress("starting the probe", 0);
            run = ProbeProcess.Run(launcher.CreateStartInfo(requestFile), catalog.Environment, timeout, progress, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or Win32Exception)
        {
            return recorder.Record(backend, CandidateOutcome.Failed, $"the probe could not start: {ex.Message}");
        }

        return Judge(candidate, run, timeout);
    }

    public void Dispose()
    {
        if (_folder is null)
        {
            return;
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A temporary folder the system cleans; nothing depends on its removal.
        }
    }

    private string WriteRequest(string backend, Action<string, int> progress)
    {
        _folder ??= Directory.CreateTempSubdirectory("moetune-probe-").FullName;
        if (_weightsFile is null)
        {
            progress("writing the weights for the probes", 0);
            var path = Path.Combine(_folder, "weights.bin");
            WeightsFile.Write(path, request.Weights);
            _weightsFile = path;
        }

        var requestFile = Path.Combine(_folder, string.Create(CultureInfo.InvariantCulture, $"request-{++_probes}.json"));
        ProbeProtocol.WriteRequest(requestFile, ProbeRequest.For(backend, request, catalog.ApplicationDirectory, _weightsFile));
        return requestFile;
    }

    private CandidateMeasurement Judge(RegisteredBackend candidate, ProbeRun run, TimeSpan timeout)
    {
        var during = run.Measurement is not null ? " after measuring" : run.LastActivity is { } activity ? " during " + activity : "";
        var stderr = run.Stderr.Count > 0 ? $" (stderr: {CrashReport(run.Stderr)})" : "";
        string? failure;
        if (run.TimedOut)
        {
            failure = string.Create(CultureInfo.InvariantCulture, $"timed out after {timeout.TotalSeconds:0.#} s{during}");
        }
        else if (run.ExitCode == ProbeWorker.Measured && run.Measurement is { } json)
        {
            return Accept(candidate, json, out failure) ?? recorder.Record(candidate.Backend, CandidateOutcome.Failed, failure!);
        }
        else if (run.ExitCode == ProbeWorker.CouldNotMeasure && run.Error is { } error)
        {
            failure = "the probe could not measure: " + error;
        }
        else if (run.ExitCode != 0)
        {
            failure = ProbeExit.Describe(run.ExitCode) + during + stderr;
        }
        else if (run.Malformed is { } malformed)
        {
            failure = "the probe's output is malformed: " + malformed;
        }
        else
        {
            var printed = run.OtherOutput.Concat(run.Stderr).FirstOrDefault();
            failure = "the probe ended without a result" + (printed is null ? " and printed nothing" : $"; it printed: {printed}");
        }

        return recorder.Record(candidate.Backend, CandidateOutcome.Failed, failure);
    }

    /// <summary>
    /// The head of what the child wrote on standard error, up to its first stack frame: "Process terminated." and the
    /// fail-fast message on the next line, or "Unhandled exception. …" with its message.
    /// </summary>
    private static string CrashReport(IReadOnlyList<string> stderr) =>
        string.Join(" ", stderr.TakeWhile(line => !line.StartsWith("at ", StringComparison.Ordinal)).DefaultIfEmpty(stderr[0]).Take(3));

    /// <summary>The child's measurement where it is well-formed and about this candidate, problem and device; else null and why.</summary>
    private CandidateMeasurement? Accept(RegisteredBackend candidate, JsonObject json, out string? failure)
    {
        CandidateMeasurement measured;
        try
        {
            measured = MeasurementJson.Parse(json, "the probe's measurement");
        }
        catch (TuningStoreException ex)
        {
            failure = ex.Message;
            return null;
        }

        var expected = recorder.Record(candidate.Backend, measured.Outcome, measured.Detail);
        failure = measured.Plugin != expected.Plugin ? $"the probe measured {measured.Plugin}, but the tuner has {expected.Plugin} (another copy of the plugin?)"
            : measured.Problem != expected.Problem ? $"the probe measured {measured.Problem}, not {expected.Problem}"
            : measured.Gpu.Key != expected.Gpu.Key ? $"the probe measured on {measured.Gpu.Key}, not {expected.Gpu.Key}"
            : measured.Buckets.FirstOrDefault(b => !request.Buckets.Contains(b.Tokens)) is { } extra
                ? string.Create(CultureInfo.InvariantCulture, $"the probe timed {extra.Tokens} tokens, which was not asked for")
            : null;

        // The child's device description may differ in the last bytes of host memory; the record takes the tuner's.
        return failure is null ? measured with { Gpu = expected.Gpu, DriverVersion = expected.DriverVersion } : null;
    }
}
