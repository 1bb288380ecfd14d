using MoeTune.Engine.Tests.Support;
using MoeTune.Host.Cli;

namespace MoeTune.Engine.Tests.Isolation;

/// <summary><c>moetune tune</c> with isolated candidates, and the hidden <c>probe</c> command itself.</summary>
public sealed class CliIsolationTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void Tune_survives_a_crashing_plugin_and_shows_it_failed()
    {
        _cli.Environment = _cli.Environment.With("MOETUNE_PLUGINS", FixturePlugins.CopyFault(_cli.TempPath("plugins"), "crash"));

        var tune = _cli.Run("tune", "--model", _cli.ModelPath, "--format", "bf16", "--tokens", "1", "--budget", "0.3", "--isolation", "all-plugins");

        Assert.True(tune.ExitCode == ExitCodes.Ok, tune.ToString());
        Assert.Contains("tuning [1/2] Faulty: failed", tune.Error, StringComparison.Ordinal);
        Assert.Contains("tuning [2/2] Reference: timed", tune.Error, StringComparison.Ordinal);
        Assert.Matches(@"Faulty\s+│\s+failed: crashed: ", tune.Output);
        Assert.Matches(@"plan:\s+Reference \(latency", tune.Output);
    }

    [Fact]
    public void Run_forced_onto_a_backend_with_wrong_numbers_exits_with_the_correctness_code()
    {
        _cli.Environment = _cli.Environment.With("MOETUNE_PLUGINS", FixturePlugins.CopyFault(_cli.TempPath("plugins"), "wrong"));

        var run = _cli.Run("run", "--model", _cli.ModelPath, "--format", "bf16", "--tokens", "4", "--backend", "faulty");

        Assert.True(run.ExitCode == ExitCodes.CorrectnessFailure, run.ToString());
        Assert.Contains("Faulty (plan Faulty; source: --backend)", run.Output, StringComparison.Ordinal);
        Assert.Contains("(FAIL: tolerance 0.01)", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--isolation", "bogus", "unknown isolation 'bogus'; valid: none, cuda-plugins, all-plugins")]
    [InlineData("--probe-timeout", "0", "--probe-timeout must be a positive number of seconds, got 0")]
    [InlineData("--probe-timeout", "-3", "--probe-timeout must be a positive number of seconds, got -3")]
    public void Bad_isolation_settings_are_usage_errors(string option, string value, string expected)
    {
        var tune = _cli.Run("tune", "--model", _cli.ModelPath, option, value);

        Assert.True(tune.ExitCode == ExitCodes.UsageError, tune.ToString());
        Assert.Contains(expected, tune.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Probe_is_hidden_from_help()
    {
        var help = _cli.Run("--help");

        Assert.DoesNotContain(" probe ", help.Output, StringComparison.Ordinal);
        Assert.Contains("tune", help.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Probe_with_an_unreadable_request_answers_with_an_error_line()
    {
        var missing = _cli.TempPath("no-such-request.json");

        var probe = _cli.Run("probe", missing);

        Assert.Equal(1, probe.ExitCode);
        Assert.StartsWith("moetune-probe {\"error\":", probe.Output, StringComparison.Ordinal);
        Assert.Contains("no-such-request.json", probe.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Probe_with_a_request_that_is_not_one_names_the_problem()
    {
        var request = _cli.TempPath("request.json");
        File.WriteAllText(request, """{"backend":"../evil"}""");

        var probe = _cli.Run("probe", request);

        Assert.Equal(1, probe.ExitCode);
        Assert.Contains("is not a probe request", probe.Output, StringComparison.Ordinal);
    }
}
