using MoeTune.Engine.Tests.Support;
using MoeTune.Host.Cli;

namespace MoeTune.Engine.Tests.Cli;

/// <summary>tune, store, explain and run through the command line, in-process, on the Reference backend and a private database.</summary>
public sealed class CliEndToEndTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void Tune_then_explain_then_run_use_the_stored_decision()
    {
        var tune = _cli.Run("tune", "--model", _cli.ModelPath, "--format", "bf16", "--tokens", "1,4", "--budget", "0.5");
        Assert.True(tune.ExitCode == ExitCodes.Ok, tune.ToString());
        Assert.Contains("plan:      Reference (latency", tune.Output, StringComparison.Ordinal);
        Assert.Contains($"stored in: {_cli.DatabasePath}", tune.Output, StringComparison.Ordinal);
        Assert.Matches(@"Reference\s+│\s+timed", tune.Output);
        Assert.True(File.Exists(_cli.DatabasePath));

        var explain = _cli.Run("explain", "--model", _cli.ModelPath, "--format", "bf16");
        Assert.True(explain.ExitCode == ExitCodes.Ok, explain.ToString());
        Assert.Contains("would run: Reference (source: stored decision)", explain.Output, StringComparison.Ordinal);
        Assert.Contains("3. stored decision: Reference (latency; tuned", explain.Output, StringComparison.Ordinal);

        var run = _cli.Run("run", "--model", _cli.ModelPath, "--format", "bf16", "--tokens", "3");
        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("backend:   Reference (plan Reference; source: stored decision)", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"reference: relative Frobenius error [0-9.]+ \(pass", run.Output);
        Assert.Matches("checksum:  [0-9a-f]{16}", run.Output);
        Assert.Contains("MoE backend Reference for tiny-qwen3", run.Error, StringComparison.Ordinal);
        Assert.Contains("(source: stored decision); candidates: Reference timed (median", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void First_run_autotunes_and_stores_and_the_second_run_reuses_the_decision()
    {
        var first = _cli.Run("run", "--model", _cli.ModelPath, "--format", "bf16", "--tokens", "2");
        var second = _cli.Run("run", "--model", _cli.ModelPath, "--format", "bf16", "--tokens", "2");

        Assert.True(first.ExitCode == ExitCodes.Ok, first.ToString());
        Assert.Contains("autotuning 1 candidate(s)", first.Error, StringComparison.Ordinal);
        Assert.Contains("source: autotune", first.Output, StringComparison.Ordinal);
        Assert.True(second.ExitCode == ExitCodes.Ok, second.ToString());
        Assert.DoesNotContain("autotuning", second.Error, StringComparison.Ordinal);
        Assert.Contains("source: stored decision", second.Output, StringComparison.Ordinal);
        Assert.Equal(Checksum(first.Output), Checksum(second.Output));
    }

    [Fact]
    public void With_tuning_off_and_nothing_stored_the_priority_order_decides()
    {
        var run = _cli.Run("run", "--model", _cli.ModelPath, "--format", "bf16", "--tokens", "1", "--no-tune");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("source: built-in priority order (tuning off)", run.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NotFound, _cli.Run("db", "show").ExitCode);
    }

    [Fact]
    public void Environment_override_in_another_case_is_named_as_the_source()
    {
        _cli.Environment = _cli.Environment.With("MOETUNE_BACKEND", "REFERENCE");

        var run = _cli.Run("run", "--model", _cli.ModelPath, "--format", "bf16", "--tokens", "1");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("source: MOETUNE_BACKEND)", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Same_inputs_from_a_file_give_the_same_output_and_it_is_written_back()
    {
        var synthetic = _cli.Run("run", "--model", _cli.ModelPath, "--format", "bf16", "--tokens", "5", "--backend", "reference", "--output", _cli.TempPath("a.safetensors"));
        Assert.True(synthetic.ExitCode == ExitCodes.Ok, synthetic.ToString());

        using (var written = Models.Safetensors.SafetensorsFile.Open(_cli.TempPath("a.safetensors")))
        {
            Assert.True(written.GetInfo("output").HasShape(5, TinyModel.Hidden));
        }

        var inputPath = SafetensorsInputs.Write(_cli.TempPath("in.safetensors"), tokens: 5, routerLogits: true);
        var fromFile = _cli.Run("run", "--model", _cli.ModelPath, "--format", "bf16", "--input", inputPath, "--backend", "reference");
        Assert.True(fromFile.ExitCode == ExitCodes.Ok, fromFile.ToString());
        Assert.Contains("tokens:    5", fromFile.Output, StringComparison.Ordinal);
        Assert.Contains("router logits, routed with tiny-qwen3's router", fromFile.Output, StringComparison.Ordinal);

        var topK = SafetensorsInputs.Write(_cli.TempPath("topk.safetensors"), tokens: 5, routerLogits: false);
        var fromTopK = _cli.Run("run", "--model", _cli.ModelPath, "--format", "bf16", "--input", topK, "--backend", "reference");
        Assert.True(fromTopK.ExitCode == ExitCodes.Ok, fromTopK.ToString());
        Assert.Contains("(hidden states and top-k)", fromTopK.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Input_file_with_the_wrong_hidden_size_is_a_usage_error_naming_the_tensor()
    {
        var inputPath = SafetensorsInputs.Write(_cli.TempPath("bad.safetensors"), tokens: 2, routerLogits: true, hidden: TinyModel.Hidden + 1);

        var run = _cli.Run("run", "--model", _cli.ModelPath, "--format", "bf16", "--input", inputPath);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("tensor 'hidden_states' must be [T, 64], is [2, 65]", run.Error, StringComparison.Ordinal);
    }

    private static string Checksum(string output) => output.Split('\n').Single(l => l.StartsWith("checksum:", StringComparison.Ordinal));
}
