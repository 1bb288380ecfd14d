using System.Runtime.InteropServices;
using MoeTune.Abstractions.Devices;
using MoeTune.Cuda.Ceilings.CublasLt;
using MoeTune.Cuda.Native;
using MoeTune.Engine.Backends;

namespace MoeTune.Engine.Bench.Report;

/// <summary>A backend as the run found it: name, version, kernel-source hash and where it was loaded from.</summary>
public sealed record BackendIdentity(string Name, string Version, string KernelSourceHash, string Source);

/// <summary>A plugin that loaded: its folder's name, its assembly version and its folder.</summary>
public sealed record PluginIdentity(string Name, string Version, string Folder);

/// <summary>
/// Everything needed to reproduce or judge a run: the device and its driver, the NVRTC and cuBLASLt versions, the tool,
/// plugin and backend versions, the plugins that failed to load, the machine and the exact command line.
/// </summary>
public sealed record BenchEnvironment(
    string ToolVersion,
    string CommandLine,
    DateTimeOffset StartedAt,
    DeviceInfo Device,
    string Driver,
    string Nvrtc,
    string CublasLt,
    string OperatingSystem,
    string Runtime,
    int LogicalProcessors,
    IReadOnlyList<PluginIdentity> Plugins,
    IReadOnlyList<BackendIdentity> Backends,
    IReadOnlyList<string> PluginFailures)
{
    public static BenchEnvironment Capture(DeviceInfo device, BackendCatalog catalog, string commandLine, DateTimeOffset startedAt)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(catalog);
        return new BenchEnvironment(
            ToolInfo.Version,
            commandLine,
            startedAt,
            device,
            device.Kind == DeviceKind.Cuda ? $"CUDA driver {device.DriverVersion}" : "none (CPU run)",
            NvrtcLibrary.TryLoad(out var nvrtc) ? $"NVRTC {NvrtcLibrary.Version}" : $"absent: {nvrtc}",
            CublasLtLibrary.TryLoad(out var cublas) ? $"cuBLASLt {CublasLtLibrary.Version} ({CublasLtLibrary.Resolution.LoadedFrom})" : $"absent: {cublas}",
            RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription,
            Environment.ProcessorCount,
            catalog.Plugins.Select(p => new PluginIdentity(p.Name, p.Version, p.Folder.Directory)).ToList(),
            catalog.InPriorityOrder.Select(b => new BackendIdentity(b.Name, b.Backend.Version, b.Backend.KernelSourceHash, b.Source)).ToList(),
            catalog.Failures.Select(f => $"{f.Location}: {f.Reason}").ToList());
    }
}
