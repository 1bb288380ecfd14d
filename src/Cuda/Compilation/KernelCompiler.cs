using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MoeTune.Abstractions.Devices;
using MoeTune.Cuda.Driver;
using MoeTune.Cuda.Native;

namespace MoeTune.Cuda.Compilation;

/// <summary>
/// Compiles <see cref="KernelBuild"/>s to cubins with NVRTC (no GPU needed), through an optional
/// <see cref="KernelDiskCache"/>. Each key is compiled once per process even under concurrent calls; across processes
/// the cache's atomic rename makes a race harmless. Thread-safe; one instance per process is the intended use.
/// </summary>
public sealed class KernelCompiler
{
    private readonly ConcurrentDictionary<string, Lazy<CompiledKernel>> compiled = new(StringComparer.Ordinal);
    private readonly ILogger logger;

    /// <param name="diskCache">Where cubins persist across processes; null keeps them in memory only.</param>
    /// <param name="logger">Compile times and cache hits go here.</param>
    public KernelCompiler(KernelDiskCache? diskCache, ILogger? logger = null)
    {
        DiskCache = diskCache;
        this.logger = logger ?? NullLogger.Instance;
    }

    public KernelDiskCache? DiskCache { get; }

    /// <summary>A compiler caching under <see cref="KernelDiskCache.DefaultDirectory"/>.</summary>
    public static KernelCompiler CreateDefault(ILogger? logger = null) => new(new KernelDiskCache(KernelDiskCache.DefaultDirectory()), logger);

    /// <summary>Compiles (or fetches) <paramref name="build"/> for <paramref name="arch"/>.</summary>
    public CompiledKernel Compile(KernelBuild build, GpuArch arch)
    {
        ArgumentNullException.ThrowIfNull(build);
        if (!build.Requirement.Allows(arch))
        {
            throw new ArgumentException($"kernel build '{build.Name}' {build.Requirement}; it cannot target {arch}", nameof(arch));
        }

        if (!NvrtcLibrary.TryLoad(out var reason))
        {
            throw new CudaUnavailableException($"cannot compile '{build.Name}': {reason}");
        }

        var headers = SharedHeaders.All.Concat(build.Headers).ToArray();
        var options = build.CompileOptions(arch);
        var key = KernelCacheKey.Compute(build.Source, headers, options, arch, NvrtcLibrary.Version);
        var keyText = Convert.ToHexStringLower(key);
        var entry = compiled.GetOrAdd(keyText, _ => new Lazy<CompiledKernel>(() => Produce(build, arch, headers, options, key, keyText)));
        var wasReady = entry.IsValueCreated;
        try
        {
            var result = entry.Value;
            return wasReady ? result with { Origin = KernelOrigin.Memory, Elapsed = TimeSpan.Zero } : result;
        }
        catch
        {
            // Do not pin a failure (a full disk, an interrupted read) for the life of the process; the next call retries.
            compiled.TryRemove(new KeyValuePair<string, Lazy<CompiledKernel>>(keyText, entry));
            throw;
        }
    }

    /// <summary>Compiles <paramref name="build"/> for <paramref name="device"/>'s architecture, as its requirement selects it.</summary>
    public CompiledKernel Compile(KernelBuild build, DeviceInfo device)
    {
        ArgumentNullException.ThrowIfNull(build);
        ArgumentNullException.ThrowIfNull(device);
        return build.Requirement.TrySelectTarget(device.SmMajor, device.SmMinor, out var arch, out var reason)
            ? Compile(build, arch)
            : throw new NotSupportedException($"kernel build '{build.Name}' cannot run on {device.Name}: {reason}");
    }

    /// <summary>Compiles <paramref name="build"/> for the context's device and loads it there.</summary>
    public CudaModule Load(KernelBuild build, CudaContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return CudaModule.Load(context, Compile(build, context.Device.ToDeviceInfo()));
    }

    private CompiledKernel Produce(KernelBuild build, GpuArch arch, KernelSource[] headers, IReadOnlyList<string> options, byte[] key, string keyText)
    {
        var clock = Stopwatch.StartNew();
        if (DiskCache is not null)
        {
            var read = DiskCache.Read(key);
            if (read.Status == KernelCacheStatus.Hit)
            {
                KernelCompilerLog.DiskHit(logger, build.Name, arch, DiskCache.Directory, clock.Elapsed.TotalMilliseconds);
                return new CompiledKernel(build, arch, read.Cubin!, read.Log!, KernelOrigin.DiskCache, clock.Elapsed, keyText);
            }

            if (read.Status == KernelCacheStatus.Corrupt)
            {
                KernelCompilerLog.Corrupt(logger, read.Problem!);
            }
        }

        var (cubin, log) = NvrtcProgram.Compile(build.Source, headers, options, arch);
        var elapsed = clock.Elapsed;
        KernelCompilerLog.Compiled(logger, build.Name, arch, elapsed.TotalMilliseconds, cubin.Length);
        if (log.Length > 0)
        {
            KernelCompilerLog.NvrtcLog(logger, build.Name, arch, log);
        }

        if (DiskCache is not null)
        {
            try
            {
                DiskCache.Write(key, cubin, log);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The cubin is good; only the next process pays for the compile again. Said loudly, not hidden.
                KernelCompilerLog.WriteFailed(logger, build.Name, DiskCache.PathFor(key), e.Message);
            }
        }

        return new CompiledKernel(build, arch, cubin, log, KernelOrigin.Compiled, elapsed, keyText);
    }
}
