using Microsoft.Extensions.Logging;

namespace MoeTune.Engine.Tests.Support;

/// <summary>Writes log entries synchronously to a writer ("info: Category: message"), so tests can read them in order.</summary>
internal sealed class CapturingLoggerProvider(TextWriter writer) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(writer, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(TextWriter writer, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (writer)
            {
                writer.WriteLine($"{logLevel.ToString().ToLowerInvariant()}: {category}: {formatter(state, exception)}");
            }
        }
    }

    /// <summary>A factory at <paramref name="minimum"/> level over this provider's writer.</summary>
    public static ILoggerFactory Factory(TextWriter writer, LogLevel minimum) =>
        LoggerFactory.Create(b => b.SetMinimumLevel(minimum).AddProvider(new CapturingLoggerProvider(writer)));
}
