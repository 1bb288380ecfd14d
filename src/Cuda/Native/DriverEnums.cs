using System.Diagnostics.CodeAnalysis;

namespace MoeTune.Cuda.Native;

/// <summary>CUdevice_attribute values MoeTune reads (numbers from cuda.h).</summary>
[SuppressMessage("Naming", "CA1711", Justification = "Mirrors CUDA's CUdevice_attribute.")]
public enum DeviceAttribute
{
    MaxThreadsPerBlock = 1,
    MaxSharedMemoryPerBlock = 8,
    WarpSize = 10,
    ClockRateKHz = 13,
    MultiprocessorCount = 16,
    MemoryClockRateKHz = 36,
    GlobalMemoryBusWidthBits = 37,
    L2CacheSize = 38,
    MaxThreadsPerMultiprocessor = 39,
    ComputeCapabilityMajor = 75,
    ComputeCapabilityMinor = 76,
    MaxSharedMemoryPerMultiprocessor = 81,
    MaxRegistersPerMultiprocessor = 82,
    MaxSharedMemoryPerBlockOptin = 97,
    MaxPersistingL2CacheSize = 108,
}

/// <summary>CUfunction_attribute values: a loaded kernel's resource usage and launch limits.</summary>
[SuppressMessage("Naming", "CA1711", Justification = "Mirrors CUDA's CUfunction_attribute.")]
public enum FunctionAttribute
{
    MaxThreadsPerBlock = 0,
    SharedSizeBytes = 1,
    ConstSizeBytes = 2,
    LocalSizeBytes = 3,
    NumRegs = 4,
    PtxVersion = 5,
    BinaryVersion = 6,
    MaxDynamicSharedSizeBytes = 8,
    PreferredSharedMemoryCarveout = 9,
    NonPortableClusterSizeAllowed = 14,
}

/// <summary>CUstreamCaptureMode: which other threads' unsafe calls invalidate a capture.</summary>
public enum StreamCaptureMode
{
    Global = 0,
    ThreadLocal = 1,
    Relaxed = 2,
}

/// <summary>CUtensorMapDataType (the types MoeTune's kernels move through TMA).</summary>
public enum TensorMapDataType
{
    U8 = 0,
    U16 = 1,
    U32 = 2,
    I32 = 3,
    U64 = 4,
    I64 = 5,
    F16 = 6,
    F32 = 7,
    F64 = 8,
    Bf16 = 9,
}

/// <summary>CUtensorMapInterleave.</summary>
public enum TensorMapInterleave
{
    None = 0,
    Bytes16 = 1,
    Bytes32 = 2,
}

/// <summary>CUtensorMapSwizzle: the shared-memory swizzle pattern of a TMA box.</summary>
public enum TensorMapSwizzle
{
    None = 0,
    Bytes32 = 1,
    Bytes64 = 2,
    Bytes128 = 3,
}

/// <summary>CUtensorMapL2promotion.</summary>
public enum TensorMapL2Promotion
{
    None = 0,
    Bytes64 = 1,
    Bytes128 = 2,
    Bytes256 = 3,
}

/// <summary>CUtensorMapFloatOOBfill.</summary>
public enum TensorMapFloatOobFill
{
    None = 0,
    NanRequestZeroFma = 1,
}
