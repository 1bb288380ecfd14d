using System.Diagnostics;
using MoeTune.Engine.Tests.Support;
using MoeTune.Host.Cli;

namespace MoeTune.Engine.Tests.Cli;

/// <summary>The built moetune.dll as a real process: the exit codes a script sees.</summary>
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

    private (int Code, string Output, string Error) Moetune(params string[] args)
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
        start.Environment["MOETUNE_DB"] = Path.Combine(_temp.Path, "tuning.db");
        foreach (var name in new[] { "MOETUNE_BACKEND", "MOETUNE_BACKEND_BF16", "MOETUNE_PLUGINS" })
        {
            start.Environment.Remove(name);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"moetune {string.Join(' ', args)} did not finish in 60 s");
        }

        return (process.ExitCode, output.Result, error.Result);
    }
}
