using System.Runtime.InteropServices;

namespace MoeTune.Cuda.Ceilings.CublasLt;

/// <summary>
/// The cuBLASLt entry points the dense-rate ceiling needs (cublasLt.h, CUDA 12 and 13 share them). The library name is
/// logical: the assembly's import resolver maps it to the file <see cref="CublasLtLibrary"/> found. Handles and
/// descriptors are opaque pointers (<c>nint</c>), sizes <c>nuint</c>, device pointers <c>nint</c>.
/// </summary>
internal static unsafe partial class CublasLtInterop
{
    /// <summary>The name <see cref="Native.NativeLibraryResolver"/> resolves to the cuBLASLt file.</summary>
    internal const string LibraryName = "moetune-libcublaslt";

    static CublasLtInterop() => Native.NativeLibraryResolver.Install();

    [LibraryImport(LibraryName)] internal static partial nuint cublasLtGetVersion();
    [LibraryImport(LibraryName)] internal static partial CublasStatus cublasLtCreate(out nint handle);
    [LibraryImport(LibraryName)] internal static partial CublasStatus cublasLtDestroy(nint handle);

    [LibraryImport(LibraryName)] internal static partial CublasStatus cublasLtMatmulDescCreate(out nint descriptor, CublasComputeType computeType, CudaDataType scaleType);
    [LibraryImport(LibraryName)] internal static partial CublasStatus cublasLtMatmulDescDestroy(nint descriptor);
    [LibraryImport(LibraryName)] internal static partial CublasStatus cublasLtMatmulDescSetAttribute(nint descriptor, MatmulDescAttribute attribute, void* value, nuint size);

    [LibraryImport(LibraryName)] internal static partial CublasStatus cublasLtMatrixLayoutCreate(out nint layout, CudaDataType type, ulong rows, ulong cols, long leadingDimension);
    [LibraryImport(LibraryName)] internal static partial CublasStatus cublasLtMatrixLayoutDestroy(nint layout);

    [LibraryImport(LibraryName)] internal static partial CublasStatus cublasLtMatmulPreferenceCreate(out nint preference);
    [LibraryImport(LibraryName)] internal static partial CublasStatus cublasLtMatmulPreferenceDestroy(nint preference);
    [LibraryImport(LibraryName)] internal static partial CublasStatus cublasLtMatmulPreferenceSetAttribute(nint preference, MatmulPreferenceAttribute attribute, void* value, nuint size);

    [LibraryImport(LibraryName)]
    internal static partial CublasStatus cublasLtMatmulAlgoGetHeuristic(
        nint handle, nint operation, nint a, nint b, nint c, nint d, nint preference,
        int requestedCount, MatmulHeuristicResult* results, out int returnedCount);

    [LibraryImport(LibraryName)]
    internal static partial CublasStatus cublasLtMatmul(
        nint handle, nint operation, void* alpha, nint a, nint aLayout, nint b, nint bLayout, void* beta,
        nint c, nint cLayout, nint d, nint dLayout, MatmulAlgorithm* algorithm, nint workspace, nuint workspaceBytes, nint stream);
}

/// <summary>cublasStatus_t.</summary>
internal enum CublasStatus
{
    Success = 0,
    NotInitialized = 1,
    AllocFailed = 3,
    InvalidValue = 7,
    ArchMismatch = 8,
    MappingError = 11,
    ExecutionFailed = 13,
    InternalError = 14,
    NotSupported = 15,
    LicenseError = 16,
}

/// <summary>cudaDataType_t, the values cuBLASLt is given here.</summary>
internal enum CudaDataType
{
    R32F = 0,
    R16BF = 14,
    R8FE4M3 = 28,
}

/// <summary>cublasComputeType_t: only FP32 accumulation is used.</summary>
internal enum CublasComputeType
{
    Compute32F = 68,
}

/// <summary>cublasOperation_t.</summary>
internal enum CublasOperation
{
    None = 0,
    Transpose = 1,
}

/// <summary>cublasLtMatmulDescAttributes_t, the ones set here.</summary>
internal enum MatmulDescAttribute
{
    TransA = 3,
    TransB = 4,
    AScalePointer = 17,
    BScalePointer = 18,
    FastAccumulation = 25,
}

/// <summary>cublasLtMatmulPreferenceAttributes_t, the one set here.</summary>
internal enum MatmulPreferenceAttribute
{
    MaxWorkspaceBytes = 1,
}

/// <summary>cublasLtMatmulAlgo_t: 8 opaque 64-bit words.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MatmulAlgorithm
{
    public fixed ulong Data[8];
}

/// <summary>cublasLtMatmulHeuristicResult_t (96 bytes): the algorithm, its workspace, its status and its wave count.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MatmulHeuristicResult
{
    public MatmulAlgorithm Algorithm;
    public nuint WorkspaceBytes;
    public CublasStatus State;
    public float Waves;
    public fixed int Reserved[4];
}
