using System.Diagnostics;
using MoeTune.Cuda.Driver;

namespace MoeTune.Gpu.Tests.Infrastructure;

/// <summary>
/// One line on this process's memory for the run's log: the host working set and its peak against what the GC may
/// use (the machine's memory, or less where a container limits it), and the device memory in use.
/// </summary>
public static class MemoryUse
{
    public static string Describe(CudaContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var process = Process.GetCurrentProcess();
        var (free, total) = context.GetMemoryInfo();
        return $"host working set {GiB(process.WorkingSet64)} (peak {GiB(process.PeakWorkingSet64)}, " +
               $"the GC may use {GiB(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes)}), GPU {GiB(total - free)} of {GiB(total)} in use";
    }

    public static string GiB(long bytes) => $"{bytes / (double)(1L << 30):F1} GiB";
}
