using System.Globalization;

namespace MoeTune.Abstractions.Devices;

/// <summary>Where a backend runs.</summary>
public enum DeviceKind
{
    /// <summary>The host CPU (the Reference backend).</summary>
    Cpu,

    /// <summary>An NVIDIA GPU through the CUDA driver API.</summary>
    Cuda,
}

/// <summary>
/// What a backend's support check and the tuner need to know about a device. For CUDA devices the fields
/// come from the driver; for the CPU, SM fields are zero.
/// </summary>
public sealed record DeviceInfo
{
    public required DeviceKind Kind { get; init; }

    /// <summary>Driver ordinal (CUDA) or 0 (CPU).</summary>
    public int Ordinal { get; init; }

    public required string Name { get; init; }

    /// <summary>Compute capability major (9 for Hopper); 0 for the CPU.</summary>
    public int SmMajor { get; init; }

    /// <summary>Compute capability minor; 0 for the CPU.</summary>
    public int SmMinor { get; init; }

    /// <summary>Streaming multiprocessors (CUDA) or logical processors (CPU).</summary>
    public int MultiprocessorCount { get; init; }

    /// <summary>Device memory in bytes (CUDA) or installed memory (CPU).</summary>
    public long TotalMemoryBytes { get; init; }

    /// <summary>L2 cache bytes; 0 where unknown.</summary>
    public long L2CacheBytes { get; init; }

    /// <summary>Largest dynamic shared memory one block may opt in to; 0 for the CPU.</summary>
    public int MaxSharedMemoryPerBlockOptin { get; init; }

    /// <summary>The CUDA driver version as the driver reports it (for example "13.0"); empty for the CPU.</summary>
    public string DriverVersion { get; init; } = "";

    /// <summary>The device UUID; empty for the CPU.</summary>
    public string Uuid { get; init; } = "";

    /// <summary>Compute capability as a number, 90 for SM 9.0.</summary>
    public int ComputeCapability => (SmMajor * 10) + SmMinor;

    /// <summary>The NVRTC architecture name without suffix, for example <c>sm_90</c>.</summary>
    public string Arch => string.Create(CultureInfo.InvariantCulture, $"sm_{SmMajor}{SmMinor}");

    /// <summary>
    /// DESIGN.md's GPU class key: identical cards share decisions. The driver version is kept apart
    /// (<see cref="DriverVersion"/>) so that a driver change makes a decision stale rather than unknown.
    /// </summary>
    public string ClassKey => string.Create(
        CultureInfo.InvariantCulture,
        $"{Kind.ToString().ToLowerInvariant()}|{Name}|{Arch}|{MultiprocessorCount}sm|{TotalMemoryBytes >> 20}MiB");

    public static DeviceInfo HostCpu { get; } = new()
    {
        Kind = DeviceKind.Cpu,
        Name = "cpu",
        MultiprocessorCount = Environment.ProcessorCount,
        TotalMemoryBytes = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
    };

    public override string ToString() => Kind == DeviceKind.Cpu
        ? string.Create(CultureInfo.InvariantCulture, $"CPU ({MultiprocessorCount} threads)")
        : string.Create(CultureInfo.InvariantCulture, $"{Name} ({Arch}, {MultiprocessorCount} SMs, {TotalMemoryBytes / (1 << 30)} GiB, driver {DriverVersion})");
}
