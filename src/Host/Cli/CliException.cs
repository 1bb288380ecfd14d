namespace MoeTune.Host.Cli;

/// <summary>An expected failure with its exit code and a message for the user (no stack trace).</summary>
public sealed class CliException : Exception
{
    public CliException()
        : this(ExitCodes.RuntimeFailure, "command failed")
    {
    }

    public CliException(string message)
        : this(ExitCodes.RuntimeFailure, message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
        ExitCode = ExitCodes.RuntimeFailure;
    }

    public CliException(int exitCode, string message)
        : base(message)
    {
        ExitCode = exitCode;
    }

    public int ExitCode { get; }

    public static CliException Usage(string message) => new(ExitCodes.UsageError, message);
}
