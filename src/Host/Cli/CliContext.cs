using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MoeTune.Engine;
using MoeTune.Engine.Hosting;
using Spectre.Console;

namespace MoeTune.Host.Cli;

/// <summary>
/// Everything a command touches outside itself: where it writes, the environment it reads, where the application's
/// plugins are, and how logging is set up. <c>Program</c> passes the real console and process environment; tests pass
/// writers and a snapshot, and run the same commands in-process.
/// </summary>
public sealed class CliContext
{
    /// <param name="output">Standard output: results (tables, plans, checksums).</param>
    /// <param name="error">Standard error: errors.</param>
    /// <param name="environment">The MOETUNE_* variables (MOETUNE_DB, MOETUNE_PLUGINS, MOETUNE_BACKEND…).</param>
    /// <param name="applicationDirectory">The folder holding the shipped <c>plugins/</c>.</param>
    /// <param name="loggerFactory">Makes the log for a run at the given minimum level; logs go to standard error.</param>
    /// <param name="interactive">Whether to draw live progress (a terminal) rather than plain lines.</param>
    public CliContext(
        TextWriter output,
        TextWriter error,
        EnvironmentSnapshot environment,
        string applicationDirectory,
        Func<LogLevel, ILoggerFactory> loggerFactory,
        bool interactive)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        Output = output;
        Error = error;
        Environment = environment;
        ApplicationDirectory = applicationDirectory;
        LoggerFactory = loggerFactory;
        Interactive = interactive;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!interactive)
        {
            // Redirected output has no width; wide enough that tables do not wrap mid-cell in files and tests.
            Console.Profile.Width = 200;
        }
    }

    public TextWriter Output { get; }

    public TextWriter Error { get; }

    /// <summary>Tables and progress, drawn on <see cref="Output"/>.</summary>
    public IAnsiConsole Console { get; }

    public EnvironmentSnapshot Environment { get; }

    public string ApplicationDirectory { get; }

    public Func<LogLevel, ILoggerFactory> LoggerFactory { get; }

    public bool Interactive { get; }

    /// <summary>
    /// The engine's services for one command: AddMoeTune over this context's environment and plugin folder, logging at
    /// Debug with <paramref name="verbose"/> and Information otherwise.
    /// </summary>
    public ServiceProvider CreateServices(bool verbose, Action<MoeTuneOptions>? configure = null) =>
        CreateServices(verbose ? LogLevel.Debug : LogLevel.Information, configure);

    /// <summary>The engine's services for one command, logging at <paramref name="level"/> and above.</summary>
    public ServiceProvider CreateServices(LogLevel level, Action<MoeTuneOptions>? configure = null)
    {
        var services = new ServiceCollection();
        // A factory registration, so that the container disposes (and so flushes) the log with itself.
        services.AddSingleton(_ => LoggerFactory(level));
        services.AddSingleton(Environment);
        services.AddMoeTune(options =>
        {
            options.ApplicationDirectory = ApplicationDirectory;
            configure?.Invoke(options);
        });
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
