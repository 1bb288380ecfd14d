using Microsoft.Extensions.Logging;

namespace MoeTune.Cuda.Compilation;

internal static partial class KernelCompilerLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Compiled kernel {Build} for {Arch} in {Milliseconds:F0} ms ({Bytes} bytes of cubin)")]
    public static partial void Compiled(ILogger logger, string build, GpuArch arch, double milliseconds, int bytes);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Kernel {Build} for {Arch}: disk cache hit (in {Path}) in {Milliseconds:F1} ms")]
    public static partial void DiskHit(ILogger logger, string build, GpuArch arch, string path, double milliseconds);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Kernel cache entry discarded and recompiled: {Problem}")]
    public static partial void Corrupt(ILogger logger, string problem);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Kernel {Build} compiled but not cached: writing {Path} failed: {Error}")]
    public static partial void WriteFailed(ILogger logger, string build, string path, string error);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "NVRTC log for {Build} ({Arch}): {Log}")]
    public static partial void NvrtcLog(ILogger logger, string build, GpuArch arch, string log);
}
