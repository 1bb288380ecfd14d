using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using MoeTune.Engine.Autotuning;
using MoeTune.Engine.Autotuning.Probing;
using MoeTune.Engine.Selection;
using MoeTune.Engine.Tests.Support;
using MoeTune.Tuning;
using MoeTune.TuningDb;

namespace MoeTune.Engine.Tests.Isolation;

/// <summary>
/// However a probe child ends, the tuner turns it into one failed candidate with a clear error and goes on: a signal,
/// an exit code, a hang (its whole process tree is killed), garbage, a malformed or mismatched answer. The "child" is
/// a shell script standing in for <c>moetune probe</c> (<see cref="ScriptProbeLauncher"/>); the candidate is the
/// third-party plugin, isolated.
/// </summary>
public sealed class ProbeOutcomeTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_signal_is_named_with_the_step_it_interrupted()
    {
        var detail = ProbedDetail($"echo '{Progress("correctness gate")}'; kill -SEGV $$");

        Assert.Equal("crashed: SIGSEGV during correctness gate", detail);
    }

    [Fact]
    public void An_exit_code_is_reported_with_standard_error_up_to_the_first_stack_frame()
    {
        var detail = ProbedDetail("echo 'Unhandled exception. System.Exception: cuInit failed' >&2; echo '   at Probe.Main()' >&2; exit 3");

        Assert.Equal("exited with code 3 (stderr: Unhandled exception. System.Exception: cuInit failed)", detail);
    }

    [Fact]
    public void A_hang_is_killed_with_its_whole_process_tree_at_the_timeout()
    {
        var pidFile = _temp.Combine("grandchild.pid");
        var clock = Stopwatch.StartNew();

        var detail = ProbedDetail($"sleep 60 & echo $! > '{pidFile}'; echo '{Progress("64 tokens")}'; wait", TimeSpan.FromSeconds(1));

        Assert.Equal("timed out after 1 s during 64 tokens", detail);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        var grandchild = int.Parse(File.ReadAllText(pidFile), CultureInfo.InvariantCulture);
        Assert.True(HasEnded(grandchild), $"the probe's own child {grandchild} is still running");
    }

    [Fact]
    public void Output_that_is_not_the_protocol_is_no_result()
    {
        var detail = ProbedDetail("echo 'hello from a plugin'; exit 0");

        Assert.Equal("the probe ended without a result; it printed: hello from a plugin", detail);
    }

    [Fact]
    public void A_malformed_protocol_line_is_named()
    {
        var detail = ProbedDetail($"echo '{ProbeProtocol.Marker}{{not json'; exit 0");

        Assert.StartsWith($"the probe's output is malformed: {ProbeProtocol.Marker}{{not json (", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_message_with_two_answers_is_malformed()
    {
        var detail = ProbedDetail($$$"""echo '{{{ProbeProtocol.Marker}}}{"error":"x","progress":{"activity":"a","stepsDone":0}}'; exit 0""");

        Assert.Contains("exactly one of progress, measurement and error", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_probe_that_could_not_measure_says_why()
    {
        var detail = ProbedDetail($$"""echo '{{ProbeProtocol.Marker}}{"error":"no backend NaiveCpu loaded here"}'; exit 1""");

        Assert.Equal("the probe could not measure: no backend NaiveCpu loaded here", detail);
    }

    [Fact]
    public void A_measurement_of_another_backend_is_refused()
    {
        var other = new CandidateMeasurement
        {
            Gpu = GpuClass.Of(Abstractions.Devices.DeviceInfo.HostCpu),
            DriverVersion = "",
            Problem = TinyModel.Shape(),
            Plugin = new PluginKey("Impostor", "9.9", "h"),
            Outcome = CandidateOutcome.Ok,
            Buckets = [new BucketTiming(1, 1, [1.0, 1.0, 1.0])],
            MeasuredAt = DateTimeOffset.UnixEpoch,
            ToolVersion = "0.1.0",
        };
        var line = _temp.Combine("answer.txt");
        File.WriteAllText(line, ProbeProtocol.Line(new ProbeMessage { Measurement = MeasurementJson.ToJson(other) }) + "\n");

        var detail = ProbedDetail($"cat '{line}'");

        Assert.Equal($"the probe measured Impostor 9.9 (h), but the tuner has NaiveCpu 1.0.0 (none) (another copy of the plugin?)", detail);
    }

    [Fact]
    public void The_probe_gets_the_tuners_plugin_folders()
    {
        var (detail, plugins) = ProbedDetailAndPlugins("echo \"$MOETUNE_PLUGINS\" >&2; exit 7");

        Assert.Equal($"exited with code 7 (stderr: {plugins})", detail);
    }

    [Fact]
    public void A_host_that_cannot_be_found_fails_the_candidate_saying_what_to_do()
    {
        var empty = _temp.Combine("no-host");
        Directory.CreateDirectory(empty);

        var detail = Probe(new HostProbeLauncher(empty), timeout: null).Detail;

        Assert.StartsWith($"the probe could not start: candidates are probed by 'moetune probe', and there is no moetune.dll in {empty}", detail, StringComparison.Ordinal);
        Assert.Contains("switch candidate isolation off", detail, StringComparison.Ordinal);
    }

    private static string Progress(string activity) =>
        $$$"""{{{ProbeProtocol.Marker}}}{"progress":{"activity":"{{{activity}}}","stepsDone":1}}""";

    private string ProbedDetail(string script, TimeSpan? timeout = null) => ProbedDetailAndPlugins(script, timeout).Detail;

    private (string Detail, string Plugins) ProbedDetailAndPlugins(string script, TimeSpan? timeout = null)
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "the stand-in probes are POSIX shell scripts");
        return Probe(new ScriptProbeLauncher(script), timeout);
    }

    /// <summary>Tunes with the third-party plugin probed through <paramref name="launcher"/>; checks the tune went on and the store holds the failure.</summary>
    private (string Detail, string Plugins) Probe(IProbeLauncher launcher, TimeSpan? timeout)
    {
        var plugins = FixturePlugins.CopyTo(_temp.Path);
        using var engine = new EngineHarness(pluginFolders: plugins, services: s => s.AddSingleton(launcher));
        using var device = engine.OpenCpu();
        var settings = new TuneSettings
        {
            Buckets = [1],
            Policy = MeasurementPolicy.Default with { CandidateBudget = TimeSpan.FromSeconds(0.2) },
            Isolation = CandidateIsolation.AllPlugins,
            ProbeTimeout = timeout ?? TimeSpan.FromSeconds(30),
        };

        var result = engine.Get<Autotuner>().Tune(new TuneRequest(device, TinyWeights.Of(), settings), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("Reference", result.Choice.Plan.ToString());
        var status = Assert.Single(result.Statuses, s => s.Name == FixturePlugins.BackendName);
        Assert.Equal(CandidateState.Failed, status.State);
        var keys = result.Statuses.Select(s => engine.Get<Backends.BackendCatalog>().Registry.Find(s.Name)!.Backend).Select(PluginKey.Of).ToArray();
        var stored = Assert.Single(engine.Get<TuningStore>().GetMeasurements(device.Info, TinyModel.Shape(), keys), m => m.Plugin.Backend == FixturePlugins.BackendName);
        Assert.Equal(CandidateOutcome.Failed, stored.Outcome);
        Assert.Equal(status.Detail, stored.Detail);
        return (status.Detail, plugins);
    }

    private static bool HasEnded(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.WaitForExit(TimeSpan.FromSeconds(5));
        }
        catch (ArgumentException)
        {
            return true;
        }
    }
}
