namespace MoeTune.Cuda.Compilation;

/// <summary>Where a <see cref="CompiledKernel"/> came from.</summary>
public enum KernelOrigin
{
    /// <summary>NVRTC compiled it in this call.</summary>
    Compiled,

    /// <summary>Read from the disk cache, verified.</summary>
    DiskCache,

    /// <summary>Already compiled or read earlier in this process.</summary>
    Memory,
}

/// <summary>A build compiled for one target: the cubin to load (<see cref="Driver.CudaModule.Load(Driver.CudaContext, CompiledKernel)"/>) and NVRTC's log.</summary>
public sealed record CompiledKernel(KernelBuild Build, GpuArch Arch, byte[] Cubin, string Log, KernelOrigin Origin, TimeSpan Elapsed, string CacheKey)
{
    public bool CacheHit => Origin != KernelOrigin.Compiled;
}
