using System.Collections.Concurrent;

namespace MoeTune.Cuda.Driver;

/// <summary>
/// Driver objects that were never disposed and were collected by the GC. A finalizer thread must not call the
/// driver (the owning context may be gone, or current on no thread, or poisoned), so such objects are leaked on
/// purpose and counted here instead: device memory stays allocated until the process exits. Dispose what you create.
/// </summary>
public static class CudaLeaks
{
    private static readonly ConcurrentDictionary<string, long> ByKind = new(StringComparer.Ordinal);
    private static long total;

    /// <summary>Objects leaked so far in this process.</summary>
    public static long Count => Interlocked.Read(ref total);

    /// <summary>Leaks per kind of object ("device memory", "stream" ...).</summary>
    public static IReadOnlyDictionary<string, long> Kinds => new Dictionary<string, long>(ByKind, StringComparer.Ordinal);

    internal static void Record(string kind)
    {
        Interlocked.Increment(ref total);
        ByKind.AddOrUpdate(kind, 1, (_, n) => n + 1);
    }
}
