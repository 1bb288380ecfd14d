using System.Diagnostics;
using MoeTune.Abstractions.Devices;
using MoeTune.Engine.Backends.Reference;
using MoeTune.Engine.Tests.Support;
using MoeTune.Host.Cli;
using MoeTune.Tuning;
using MoeTune.TuningDb;

namespace MoeTune.Engine.Tests.Cli;

/// <summary>The built moetune.dll as a real process: the exit codes a script sees, and two tuners sharing one store.</summary>
public sealed class CliProcessTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Presets_exits_0()
    {
        var (code, output, _) = Moetune("presets");

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("qwen3-30b-a3b", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_backend_exits_3()
    {
        var model = TinyModel.WriteConfig(_temp.Path);

        var (code, _, error) = Moetune("run", "--model", model, "--format", "bf16", "--tokens", "1", "--backend", "bogus");

        Assert.Equal(ExitCodes.BackendUnavailable, code);
        Assert.Contains("unknown backend 'bogus'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_option_exits_2()
    {
        var (code, _, error) = Moetune("presets", "--no-such-option");

        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains("--no-such-option", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_tunes_into_one_database_at_once_both_finish_and_both_decisions_read_back()
    {
        var model = TinyModel.WriteConfig(_temp.Path);
        string[] Tune(string objective) =>
            ["tune", "--model", model, "--format", "bf16", "--device", "cpu", "--tokens", "1,2,4", "--budget", "1", "--force", "--objective", objective];

        // Both write the Reference backend's measurement of the same problem, and each its own decision.
        using var latency = Start(Tune("latency"));
        using var throughput = Start(Tune("throughput"));
        var first = Finish(latency);
        var second = Finish(throughput);

        Assert.True(first.Code == ExitCodes.Ok, first.Error);
        Assert.True(second.Code == ExitCodes.Ok, second.Error);
        using var store = TuningStore.Open(new TuningStoreOptions(DatabasePath));
        PluginKey[] keys = [PluginKey.Of(new ReferenceBackend())];
        foreach (var objective in new[] { TuningObjective.Latency, TuningObjective.Throughput })
        {
            var decision = store.GetDecision(DeviceInfo.HostCpu, TinyModel.Shape(), objective, keys);
            Assert.True(decision is { IsValid: true }, $"no valid {objective} decision; {first.Output}\n{second.Output}");
            Assert.Equal("Reference", decision.Decision.Plan.ToString());
        }

        Assert.Single(store.GetMeasurements(DeviceInfo.HostCpu, TinyModel.Shape(), keys));
    }

    private string DatabasePath => Path.Combine(_temp.Path, "tuning.db");

    private (int Code, string Output, string Error) Moetune(params string[] args)
    {
        using var process = Start(args);
        return Finish(process);
    }

    private Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "moetune.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Never the user's store, and no overrides inherited from whoever runs the tests.
        start.Environment["MOETUNE_DB"] = DatabasePath;
        foreach (var name in new[] { "MOETUNE_BACKEND", "MOETUNE_BACKEND_BF16", "MOETUNE_PLUGINS" })
        {
            start.Environment.Remove(name);
        }

        return Process.Start(start)!;
    }

    private static (int Code, string Output, string Error) Finish(Process process)
    {
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"moetune {string.Join(' ', process.StartInfo.ArgumentList.Skip(1))} did not finish in 60 s");
        }

        return (process.ExitCode, output.Result, error.Result);
    }
}
