using MoeTune.Engine.Tests.Support;
using MoeTune.Host.Cli;

namespace MoeTune.Engine.Tests.Cli;

/// <summary>Forced names through the command line: aliases in any case, unknown names and unsupported backends are exit 3 with the reason.</summary>
public sealed class CliSelectionErrorTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void Unknown_forced_name_exits_3_listing_the_valid_names()
    {
        var run = _cli.Run("run", "--model", _cli.ModelPath, "--format", "bf16", "--tokens", "1", "--backend", "bogus");

        Assert.Equal(ExitCodes.BackendUnavailable, run.ExitCode);
        Assert.Contains("error: unknown backend 'bogus' (from --backend); valid names (any case): Reference, auto", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_name_in_the_format_variable_is_reported_with_that_variable()
    {
        _cli.Environment = _cli.Environment.With("MOETUNE_BACKEND_BF16", "nope").With("MOETUNE_BACKEND", "reference");

        var run = _cli.Run("explain", "--model", _cli.ModelPath, "--format", "bf16");

        Assert.Equal(ExitCodes.BackendUnavailable, run.ExitCode);
        Assert.Contains("unknown backend 'nope' (from MOETUNE_BACKEND_BF16)", run.Error, StringComparison.Ordinal);
        Assert.Contains("2. MOETUNE_BACKEND_BF16: nope  <- decides", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Forced_backend_that_cannot_run_the_problem_exits_3_with_its_reason()
    {
        _cli.Environment = _cli.Environment.With("MOETUNE_PLUGINS", FixturePlugins.CopyTo(_cli.TempPath("plugins")));

        var run = _cli.Run("run", "--model", _cli.ModelPath, "--format", "nvfp4", "--tokens", "1", "--backend", "NAIVE_CPU");

        Assert.Equal(ExitCodes.BackendUnavailable, run.ExitCode);
        Assert.Contains("backend NaiveCpu (from --backend) cannot run this problem here: bf16 weights only, not nvfp4", run.Error, StringComparison.Ordinal);
    }
}
