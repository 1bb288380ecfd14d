namespace MoeTune.Host.Cli;

/// <summary>The exit codes scripts can rely on (listed in <c>moetune --help</c> and docs/cli.md).</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>A runtime failure: a backend or CUDA error, an I/O error, a damaged file.</summary>
    public const int RuntimeFailure = 1;

    /// <summary>A usage error: unknown option or command, a bad value, an unknown model, a malformed input file.</summary>
    public const int UsageError = 2;

    /// <summary>A backend could not be used: unknown name, unsupported here, or no backend can run the problem.</summary>
    public const int BackendUnavailable = 3;

    /// <summary>A correctness failure: the output missed the CPU reference beyond the tolerance (or every candidate did).</summary>
    public const int CorrectnessFailure = 4;

    /// <summary>Nothing matched: <c>db show</c> or <c>db forget</c> found no record.</summary>
    public const int NotFound = 5;

    /// <summary>The rows of the help text's exit code table.</summary>
    public static IReadOnlyList<(int Code, string Meaning)> Table { get; } =
    [
        (Ok, "success"),
        (RuntimeFailure, "runtime failure (backend or CUDA error, I/O error, damaged file)"),
        (UsageError, "usage error (bad option or value, unknown model, malformed input file)"),
        (BackendUnavailable, "backend unavailable (unknown name, unsupported here, or none can run the problem)"),
        (CorrectnessFailure, "correctness failure (output missed the CPU reference beyond 1e-2)"),
        (NotFound, "no matching record (db show, db forget)"),
    ];
}
