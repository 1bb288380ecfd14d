using MoeTune.Host.Cli;

namespace MoeTune.Engine.Tests.Support;

/// <summary>
/// Runs the moetune command in-process: the real command tree over captured writers, a private tuning database
/// (MOETUNE_DB in a temporary folder, never the user's store) and a chosen application folder for plugins.
/// </summary>
internal sealed class CliHarness : IDisposable
{
    private readonly TempDirectory _temp = new();

    /// <param name="applicationDirectory">Where plugins/ is looked for; by default an empty folder (only the built-in Reference).</param>
    public CliHarness(string? applicationDirectory = null)
    {
        ApplicationDirectory = applicationDirectory ?? _temp.Combine("app");
        Directory.CreateDirectory(ApplicationDirectory);
        DatabasePath = _temp.Combine("tuning.db");
        Environment = EnvironmentSnapshot.Empty.With(EnvironmentVariables.Database, DatabasePath);
        ModelPath = TinyModel.WriteConfig(_temp.Path);
    }

    public string ApplicationDirectory { get; }

    public string DatabasePath { get; }

    /// <summary>The tiny Qwen3-MoE config.json for --model.</summary>
    public string ModelPath { get; }

    public EnvironmentSnapshot Environment { get; set; }

    public string TempPath(string name) => _temp.Combine(name);

    public CliRun Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var context = new CliContext(
            output,
            error,
            Environment,
            ApplicationDirectory,
            level => CapturingLoggerProvider.Factory(error, level),
            interactive: false);
        var code = CliApplication.Invoke(args, context);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    public void Dispose() => _temp.Dispose();
}

/// <summary>One command's exit code and what it wrote.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}
