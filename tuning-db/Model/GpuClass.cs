using MoeTune.Abstractions.Devices;

namespace MoeTune.TuningDb;

/// <summary>
/// Identical cards share decisions: a GPU class is what <see cref="DeviceInfo.ClassKey"/> is made of. The driver
/// version is kept apart (on measurements and decisions), so that a driver change makes a decision stale rather than
/// unknown.
/// </summary>
public sealed record GpuClass(DeviceKind Kind, string Name, int SmMajor, int SmMinor, int SmCount, long MemoryBytes)
{
    /// <summary>The store's key, equal to <see cref="DeviceInfo.ClassKey"/> of any device of this class.</summary>
    public string Key => new DeviceInfo
    {
        Kind = Kind,
        Name = Name,
        SmMajor = SmMajor,
        SmMinor = SmMinor,
        MultiprocessorCount = SmCount,
        TotalMemoryBytes = MemoryBytes,
    }.ClassKey;

    public static GpuClass Of(DeviceInfo device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return new GpuClass(device.Kind, device.Name, device.SmMajor, device.SmMinor, device.MultiprocessorCount, device.TotalMemoryBytes);
    }

    public override string ToString() => Key;
}
