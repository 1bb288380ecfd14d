using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Engine;
using MoeTune.Engine.Backends;
using MoeTune.Engine.Devices;
using MoeTune.Engine.Selection;

namespace MoeTune.Host.Cli;

/// <summary>Which device a command runs on.</summary>
internal static class DeviceChoice
{
    /// <summary>
    /// <c>--device</c> where given; under "auto", the CPU when the forced backend (from <c>--backend</c> or the
    /// environment) is a CPU backend such as Reference, so that <c>--backend reference</c> works on a GPU machine too;
    /// otherwise the first GPU, else the CPU.
    /// </summary>
    public static DeviceInfo Resolve(
        DeviceCatalog devices, BackendCatalog backends, string? deviceOption, string? backendOption, EnvironmentSnapshot environment, WeightFormat format)
    {
        if (!string.IsNullOrWhiteSpace(deviceOption) && !string.Equals(deviceOption.Trim(), DeviceCatalog.Auto, StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                return devices.Resolve(deviceOption);
            }
            catch (ArgumentException ex)
            {
                throw CliException.Usage(ex.Message);
            }
        }

        var forced = SelectionPrecedence.Forced(backendOption, environment, format);
        var forcedBackend = forced is { } f ? backends.Registry.Find(f.Name)?.Backend : null;
        return forcedBackend?.DeviceKind == DeviceKind.Cpu ? DeviceInfo.HostCpu : devices.Default;
    }
}
