namespace MoeTune.Cuda.Driver;

/// <summary>
/// What one loaded kernel uses, read from the driver (cuFuncGetAttribute). NVRTC does not print ptxas's
/// <c>-v</c> report, so this is where register counts and spills are seen.
/// </summary>
/// <param name="Registers">Registers per thread.</param>
/// <param name="LocalBytes">Local memory per thread: non-zero means register spills or stack arrays.</param>
/// <param name="StaticSharedBytes">Statically declared shared memory per block.</param>
/// <param name="MaxThreadsPerBlock">The largest block this kernel can be launched with, given its registers.</param>
/// <param name="MaxDynamicSharedBytes">The dynamic shared memory currently allowed (see SetMaxDynamicSharedMemory).</param>
/// <param name="BinaryVersion">The SASS architecture of the loaded code, for example 90.</param>
public sealed record KernelResources(
    int Registers,
    int LocalBytes,
    int StaticSharedBytes,
    int MaxThreadsPerBlock,
    int MaxDynamicSharedBytes,
    int BinaryVersion)
{
    public override string ToString() =>
        $"{Registers} registers, {LocalBytes} B local, {StaticSharedBytes} B static shared, up to {MaxThreadsPerBlock} threads, sm_{BinaryVersion}";
}
