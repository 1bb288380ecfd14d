namespace MoeTune.Cuda.Native;

/// <summary>
/// CUresult, the driver's status code. Only the codes MoeTune reacts to are named; any other value still
/// reaches the caller with the driver's own name and text (<see cref="CudaErrors"/>).
/// </summary>
public enum CuResult
{
    Success = 0,
    InvalidValue = 1,
    OutOfMemory = 2,
    NotInitialized = 3,
    Deinitialized = 4,
    StubLibrary = 34,
    DeviceUnavailable = 46,
    NoDevice = 100,
    InvalidDevice = 101,
    InvalidImage = 200,
    InvalidContext = 201,
    NoBinaryForGpu = 209,
    InvalidPtx = 218,
    UnsupportedPtxVersion = 222,
    InvalidHandle = 400,
    NotFound = 500,
    NotReady = 600,
    IllegalAddress = 700,
    LaunchOutOfResources = 701,
    LaunchTimeout = 702,
    IllegalInstruction = 715,
    MisalignedAddress = 716,
    LaunchFailed = 719,
    NotPermitted = 800,
    NotSupported = 801,
    SystemDriverMismatch = 803,
    StreamCaptureUnsupported = 900,
    StreamCaptureInvalidated = 901,
    Unknown = 999,
}

/// <summary>nvrtcResult, NVRTC's status code.</summary>
public enum NvrtcResult
{
    Success = 0,
    OutOfMemory = 1,
    ProgramCreationFailure = 2,
    InvalidInput = 3,
    InvalidProgram = 4,
    InvalidOption = 5,
    Compilation = 6,
    BuiltinOperationFailure = 7,
    InternalError = 11,
}
