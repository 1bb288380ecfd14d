using System.Security.Cryptography;
using System.Text;
using MoeTune.Abstractions.Devices;

namespace MoeTune.TuningDb;

/// <summary>
/// Who made a decision, when and where, so that a fleet can import it and judge it: the time, the MoeTune version,
/// the GPU and its driver, and optionally a hash of the host name (never the name itself; no other personal data).
/// </summary>
public sealed record Provenance(DateTimeOffset At, string ToolVersion, string GpuName, string DriverVersion, string? HostHash = null)
{
    /// <summary>Hex digits kept of the host name's SHA-256: enough to tell hosts apart, too few to look one up.</summary>
    private const int HostHashLength = 12;

    /// <summary>The provenance of a decision made now on <paramref name="device"/>.</summary>
    public static Provenance Capture(DeviceInfo device, string toolVersion, DateTimeOffset at, bool includeHostHash = false)
    {
        ArgumentNullException.ThrowIfNull(device);
        return new Provenance(at, toolVersion, device.Name, device.DriverVersion, includeHostHash ? HashHost(Environment.MachineName) : null);
    }

    /// <summary>The first <see cref="HostHashLength"/> hex digits of the SHA-256 of the lower-cased host name.</summary>
    public static string HashHost(string hostName)
    {
        ArgumentNullException.ThrowIfNull(hostName);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("moetune-host:" + hostName.ToLowerInvariant())))[..HostHashLength];
    }
}
