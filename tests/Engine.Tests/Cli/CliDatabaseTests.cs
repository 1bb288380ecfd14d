using MoeTune.Engine.Tests.Support;
using MoeTune.Host.Cli;

namespace MoeTune.Engine.Tests.Cli;

/// <summary>db list, show, export, import and forget over private databases.</summary>
public sealed class CliDatabaseTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void Export_then_import_into_another_store_carries_the_decision_over()
    {
        Tune(_cli);
        var exportPath = _cli.TempPath("fleet.json");
        var export = _cli.Run("db", "export", exportPath);
        Assert.True(export.ExitCode == ExitCodes.Ok, export.ToString());
        Assert.Contains("\"decisions\"", File.ReadAllText(exportPath), StringComparison.OrdinalIgnoreCase);

        using var other = new CliHarness();
        var import = other.Run("db", "import", exportPath);
        Assert.True(import.ExitCode == ExitCodes.Ok, import.ToString());
        Assert.Contains("imported", import.Output, StringComparison.Ordinal);

        var list = other.Run("db", "list");
        Assert.True(list.ExitCode == ExitCodes.Ok, list.ToString());
        Assert.Contains(TinyModel.Shape().Hash, list.Output, StringComparison.Ordinal);
        Assert.Contains("tiny-qwen3", list.Output, StringComparison.Ordinal);
        var explain = other.Run("explain", "--model", other.ModelPath, "--format", "bf16");
        Assert.Contains("would run: Reference (source: stored decision)", explain.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Show_prints_the_decision_with_its_measurements_and_forget_removes_it()
    {
        Tune(_cli);

        var show = _cli.Run("db", "show", "--model", _cli.ModelPath, "--format", "bf16");
        Assert.True(show.ExitCode == ExitCodes.Ok, show.ToString());
        Assert.Contains("decision:  Reference for latency", show.Output, StringComparison.Ordinal);
        Assert.Contains("plugins:   Reference ", show.Output, StringComparison.Ordinal);
        Assert.Matches(@"Reference\s+│\s+[^│]+│\s+[^│]+│\s+timed", show.Output);

        var forget = _cli.Run("db", "forget", "--model", _cli.ModelPath, "--format", "bf16");
        Assert.True(forget.ExitCode == ExitCodes.Ok, forget.ToString());
        Assert.Contains("forgot 1 decision(s) and 1 measurement(s)", forget.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NotFound, _cli.Run("db", "show", "--model", _cli.ModelPath, "--format", "bf16").ExitCode);
        Assert.Equal(ExitCodes.NotFound, _cli.Run("db", "forget", "--model", _cli.ModelPath, "--format", "bf16").ExitCode);
    }

    [Fact]
    public void Forget_without_a_filter_needs_all()
    {
        Assert.Equal(ExitCodes.UsageError, _cli.Run("db", "forget").ExitCode);
        Assert.Equal(ExitCodes.NotFound, _cli.Run("db", "forget", "--all").ExitCode);
    }

    [Fact]
    public void Import_of_a_malformed_file_fails_and_changes_nothing()
    {
        var bad = _cli.TempPath("bad.json");
        File.WriteAllText(bad, "{ \"schemaVersion\": 2, \"decisions\": [ { \"plan\": 5 } ] }");

        var import = _cli.Run("db", "import", bad);

        Assert.Equal(ExitCodes.RuntimeFailure, import.ExitCode);
        Assert.Contains("error: ", import.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NotFound, _cli.Run("db", "show").ExitCode);
    }

    private static void Tune(CliHarness cli)
    {
        var tune = cli.Run("tune", "--model", cli.ModelPath, "--format", "bf16", "--tokens", "1", "--budget", "0.3");
        Assert.True(tune.ExitCode == ExitCodes.Ok, tune.ToString());
    }
}
