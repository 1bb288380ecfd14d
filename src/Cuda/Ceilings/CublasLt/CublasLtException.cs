namespace MoeTune.Cuda.Ceilings.CublasLt;

/// <summary>A cuBLASLt call failed; the message names the call, the status and what was being set up.</summary>
public sealed class CublasLtException : Exception
{
    public CublasLtException(string message)
        : base(message)
    {
    }

    public CublasLtException()
        : this("a cuBLASLt call failed")
    {
    }

    public CublasLtException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal static void Check(CublasStatus status, string what, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(status))] string call = "")
    {
        if (status != CublasStatus.Success)
        {
            var open = call.IndexOf('(', StringComparison.Ordinal);
            var name = (open < 0 ? call : call[..open]).Split('.')[^1].Trim();
            throw new CublasLtException($"{name} failed with {Name(status)} while {what}");
        }
    }

    /// <summary>The status as cuBLASLt's headers name it, with its number: "CUBLAS_STATUS_NOT_SUPPORTED (15)".</summary>
    internal static string Name(CublasStatus status) => $"CUBLAS_STATUS_{Upper(status)} ({(int)status})";

    private static string Upper(CublasStatus status) => status switch
    {
        CublasStatus.NotInitialized => "NOT_INITIALIZED",
        CublasStatus.AllocFailed => "ALLOC_FAILED",
        CublasStatus.InvalidValue => "INVALID_VALUE",
        CublasStatus.ArchMismatch => "ARCH_MISMATCH",
        CublasStatus.MappingError => "MAPPING_ERROR",
        CublasStatus.ExecutionFailed => "EXECUTION_FAILED",
        CublasStatus.InternalError => "INTERNAL_ERROR",
        CublasStatus.NotSupported => "NOT_SUPPORTED",
        CublasStatus.LicenseError => "LICENSE_ERROR",
        _ => ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
