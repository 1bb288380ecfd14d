using System.Runtime.InteropServices;
using MoeTune.Abstractions.Devices;
using MoeTune.Cuda.Native;

namespace MoeTune.Cuda.Driver;

/// <summary>One GPU as the driver reports it. Attributes are read once, when the runtime enumerates devices.</summary>
public sealed class CudaDevice
{
    internal unsafe CudaDevice(int ordinal, string driverVersion)
    {
        CudaErrors.Check(Interop.CudaDriver.cuDeviceGet(out var device, ordinal));
        Handle = device;
        Ordinal = ordinal;
        DriverVersion = driverVersion;
        var name = stackalloc byte[256];
        CudaErrors.Check(Interop.CudaDriver.cuDeviceGetName(name, 256, device));
        Name = Marshal.PtrToStringUTF8((nint)name) ?? "";
        CudaErrors.Check(Interop.CudaDriver.cuDeviceTotalMem_v2(out var total, device));
        TotalMemoryBytes = (long)total;
        var uuid = stackalloc byte[16];
        CudaErrors.Check(Interop.CudaDriver.cuDeviceGetUuid_v2(uuid, device));
        Uuid = FormatUuid(new ReadOnlySpan<byte>(uuid, 16));
        SmMajor = GetAttribute(DeviceAttribute.ComputeCapabilityMajor);
        SmMinor = GetAttribute(DeviceAttribute.ComputeCapabilityMinor);
        MultiprocessorCount = GetAttribute(DeviceAttribute.MultiprocessorCount);
        L2CacheBytes = GetAttribute(DeviceAttribute.L2CacheSize);
        MaxSharedMemoryPerBlock = GetAttribute(DeviceAttribute.MaxSharedMemoryPerBlock);
        MaxSharedMemoryPerBlockOptin = GetAttribute(DeviceAttribute.MaxSharedMemoryPerBlockOptin);
        MaxSharedMemoryPerMultiprocessor = GetAttribute(DeviceAttribute.MaxSharedMemoryPerMultiprocessor);
    }

    public int Ordinal { get; }

    public string Name { get; }

    public int SmMajor { get; }

    public int SmMinor { get; }

    /// <summary>Compute capability as a number: 90 for SM 9.0.</summary>
    public int ComputeCapability => (SmMajor * 10) + SmMinor;

    public int MultiprocessorCount { get; }

    public long TotalMemoryBytes { get; }

    public long L2CacheBytes { get; }

    /// <summary>Shared memory a block gets without opting in (48 KiB).</summary>
    public int MaxSharedMemoryPerBlock { get; }

    /// <summary>Dynamic shared memory a block may opt in to (<see cref="CudaFunction.SetMaxDynamicSharedMemory"/>).</summary>
    public int MaxSharedMemoryPerBlockOptin { get; }

    public int MaxSharedMemoryPerMultiprocessor { get; }

    /// <summary>"GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", as nvidia-smi prints it.</summary>
    public string Uuid { get; }

    /// <summary>The driver's CUDA version, "13.0".</summary>
    public string DriverVersion { get; }

    internal int Handle { get; }

    /// <summary>Any other attribute, read from the driver now.</summary>
    public int GetAttribute(DeviceAttribute attribute)
    {
        CudaErrors.Check(Interop.CudaDriver.cuDeviceGetAttribute(out var value, attribute, Handle));
        return value;
    }

    /// <summary>Retains this device's primary context (the one the CUDA runtime and other libraries share).</summary>
    public CudaContext RetainPrimaryContext() => CudaContext.RetainPrimary(this);

    /// <summary>The plugin ABI's description of this device.</summary>
    public DeviceInfo ToDeviceInfo() => new()
    {
        Kind = DeviceKind.Cuda,
        Ordinal = Ordinal,
        Name = Name,
        SmMajor = SmMajor,
        SmMinor = SmMinor,
        MultiprocessorCount = MultiprocessorCount,
        TotalMemoryBytes = TotalMemoryBytes,
        L2CacheBytes = L2CacheBytes,
        MaxSharedMemoryPerBlockOptin = MaxSharedMemoryPerBlockOptin,
        DriverVersion = DriverVersion,
        Uuid = Uuid,
    };

    public override string ToString() => ToDeviceInfo().ToString();

    internal static string FormatUuid(ReadOnlySpan<byte> bytes)
    {
        var hex = Convert.ToHexStringLower(bytes);
        return $"GPU-{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }
}
