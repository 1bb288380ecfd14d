using MoeTune.Engine.Tests.Support;
using MoeTune.Host.Cli;

namespace MoeTune.Engine.Tests.Cli;

/// <summary>The third-party plugin, built apart and dropped in through MOETUNE_PLUGINS, used by the unchanged host.</summary>
public sealed class CliPluginTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public CliPluginTests() => _cli.Environment = _cli.Environment.With("MOETUNE_PLUGINS", FixturePlugins.CopyTo(_cli.TempPath("plugins")));

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void The_five_shipped_plugins_load_from_beside_the_application()
    {
        // This test project's output holds plugins/ as the host's build places it (see the project file).
        using var shipped = new CliHarness(AppContext.BaseDirectory);

        var run = shipped.Run("backends");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.DoesNotContain("skipped plugin folder", run.Output, StringComparison.Ordinal);
        foreach (var plugin in new[] { "Marlin", "FlashInferCutlass", "VllmCutlass", "CuteDsl", "TrtLlm" })
        {
            Assert.Contains($"plugin {plugin} (application)", run.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Backends_lists_the_dropped_in_plugin_with_its_support()
    {
        var run = _cli.Run("backends", "--model", _cli.ModelPath, "--format", "bf16");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Matches(@"NaiveCpu\s+│\s+NAIVE_CPU\s+│\s+1\.0\.0", run.Output);
        Assert.Matches(@"NaiveCpu\s+│\s+yes", run.Output);
        Assert.Matches(@"Reference\s+│\s+yes", run.Output);
    }

    [Fact]
    public void Run_forced_onto_the_plugin_backend_is_checked_against_the_reference()
    {
        var run = _cli.Run("run", "--model", _cli.ModelPath, "--format", "bf16", "--tokens", "4", "--backend", "naive_cpu");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("backend:   NaiveCpu (plan NaiveCpu; source: --backend)", run.Output, StringComparison.Ordinal);
        Assert.Contains("(pass: tolerance 0.01)", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Tune_measures_the_plugin_beside_the_built_in_backend()
    {
        var tune = _cli.Run("tune", "--model", _cli.ModelPath, "--format", "bf16", "--tokens", "1,2", "--budget", "0.5");

        Assert.True(tune.ExitCode == ExitCodes.Ok, tune.ToString());
        Assert.Matches(@"NaiveCpu\s+│\s+timed", tune.Output);
        Assert.Matches(@"Reference\s+│\s+timed", tune.Output);
        Assert.Matches(@"plan:\s+(NaiveCpu|Reference) \(latency", tune.Output);
    }
}
