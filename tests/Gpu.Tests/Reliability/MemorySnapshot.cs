using System.Diagnostics;
using MoeTune.Cuda.Driver;

namespace MoeTune.Gpu.Tests.Reliability;

/// <summary>This process's memory at one moment, after a full garbage collection: device bytes in use, managed heap, working set.</summary>
internal sealed record MemorySnapshot(long DeviceUsed, long Managed, long WorkingSet)
{
    /// <summary>Waits for <paramref name="context"/>'s work, collects everything collectable (finalizers included), then reads the three figures.</summary>
    public static MemorySnapshot Take(CudaContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Synchronize();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        var managed = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        var (free, total) = context.GetMemoryInfo();
        return new MemorySnapshot(total - free, managed, process.WorkingSet64);
    }

    /// <summary>Each figure's change from <paramref name="before"/> to this, for the log.</summary>
    public string DescribeGrowthSince(MemorySnapshot before)
    {
        ArgumentNullException.ThrowIfNull(before);
        return $"device in use {Bytes(before.DeviceUsed)} -> {Bytes(DeviceUsed)} ({Signed(DeviceUsed - before.DeviceUsed)}), " +
               $"managed heap {Bytes(before.Managed)} -> {Bytes(Managed)} ({Signed(Managed - before.Managed)}), " +
               $"working set {Bytes(before.WorkingSet)} -> {Bytes(WorkingSet)} ({Signed(WorkingSet - before.WorkingSet)})";
    }

    private static string Bytes(long bytes) => $"{bytes / (double)(1 << 20):F1} MiB";

    private static string Signed(long bytes) => $"{(bytes >= 0 ? "+" : "")}{bytes} bytes";
}
