namespace MoeTune.Cuda.Native;

/// <summary>A CUDA driver call failed. <see cref="Call"/> is the entry point (for example <c>cuMemAlloc_v2</c>).</summary>
public sealed class CudaException : Exception
{
    public CudaException(string call, CuResult result, string errorName, string errorText)
        : base($"{call} failed: {errorName} ({(int)result}): {errorText}")
    {
        Call = call;
        Result = result;
        ErrorName = errorName;
    }

    public CudaException()
        : this("(unknown call)", CuResult.Unknown, "CUDA_ERROR_UNKNOWN", "unknown error")
    {
    }

    public CudaException(string message)
        : base(message)
    {
        Call = "(unknown call)";
        ErrorName = "";
    }

    public CudaException(string message, Exception innerException)
        : base(message, innerException)
    {
        Call = "(unknown call)";
        ErrorName = "";
    }

    public string Call { get; }

    public CuResult Result { get; }

    /// <summary>The driver's name for <see cref="Result"/>, for example <c>CUDA_ERROR_ILLEGAL_ADDRESS</c>.</summary>
    public string ErrorName { get; }

    /// <summary>
    /// True for errors after which the context is unusable (an illegal address, a trap, a failed launch): every later
    /// call on it fails too, so the process should stop using the GPU (DESIGN.md "Kernels").
    /// </summary>
    public bool IsSticky => Result is CuResult.IllegalAddress or CuResult.IllegalInstruction or CuResult.MisalignedAddress
        or CuResult.LaunchFailed or CuResult.LaunchTimeout;
}

/// <summary>An NVRTC call failed (other than a compile error, which is <see cref="Compilation.KernelCompilationException"/>).</summary>
public sealed class NvrtcException : Exception
{
    public NvrtcException(string call, NvrtcResult result, string errorText)
        : base($"{call} failed: {errorText} ({(int)result})")
    {
        Call = call;
        Result = result;
    }

    public NvrtcException()
        : this("(unknown call)", NvrtcResult.InternalError, "unknown error")
    {
    }

    public NvrtcException(string message)
        : base(message)
    {
        Call = "(unknown call)";
    }

    public NvrtcException(string message, Exception innerException)
        : base(message, innerException)
    {
        Call = "(unknown call)";
    }

    public string Call { get; }

    public NvrtcResult Result { get; }
}

/// <summary>
/// CUDA cannot be used here: the driver or NVRTC library is missing, or no device is present. The message carries
/// the library search trace. Callers that can run without a GPU ask first (<see cref="Driver.CudaRuntime.TryGetDevices"/>).
/// </summary>
public sealed class CudaUnavailableException : Exception
{
    public CudaUnavailableException(string message)
        : base(message)
    {
    }

    public CudaUnavailableException()
        : this("CUDA is unavailable")
    {
    }

    public CudaUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
