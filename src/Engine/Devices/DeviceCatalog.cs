using System.Globalization;
using MoeTune.Abstractions.Devices;
using MoeTune.Cuda.Driver;

namespace MoeTune.Engine.Devices;

/// <summary>
/// The devices this process can run on: every CUDA GPU the driver reports, then the CPU. "No driver" and "no GPU"
/// are normal: the CPU is always there and <see cref="CudaStatus"/> says why no GPU is listed.
/// </summary>
public sealed class DeviceCatalog
{
    /// <summary>The word for "pick for me" in <c>--device</c>.</summary>
    public const string Auto = "auto";

    /// <summary>The CPU's name in <c>--device</c>.</summary>
    public const string Cpu = "cpu";

    private readonly IReadOnlyList<CudaDevice> _gpus;

    public DeviceCatalog()
    {
        CudaRuntime.TryGetDevices(out var gpus, out var reason);
        _gpus = gpus;
        CudaStatus = reason;
        Devices = [.. gpus.Select(g => g.ToDeviceInfo()), DeviceInfo.HostCpu];
    }

    /// <summary>GPUs in driver order, then the CPU.</summary>
    public IReadOnlyList<DeviceInfo> Devices { get; }

    /// <summary>The driver's state in words: how many GPUs and which driver, or why there are none.</summary>
    public string CudaStatus { get; }

    public bool HasGpu => _gpus.Count > 0;

    /// <summary>The first GPU, or the CPU where there is none.</summary>
    public DeviceInfo Default => Devices[0];

    /// <summary>
    /// The device <c>--device</c> names: "auto" (or nothing) for <see cref="Default"/>, "cpu", or a GPU as its ordinal
    /// ("0") or "cuda:0". An unknown name is an error that lists the valid ones.
    /// </summary>
    public DeviceInfo Resolve(string? name)
    {
        var text = name?.Trim();
        if (string.IsNullOrEmpty(text) || string.Equals(text, Auto, StringComparison.OrdinalIgnoreCase))
        {
            return Default;
        }

        if (string.Equals(text, Cpu, StringComparison.OrdinalIgnoreCase))
        {
            return DeviceInfo.HostCpu;
        }

        var ordinalText = text.StartsWith("cuda:", StringComparison.OrdinalIgnoreCase) ? text[5..] : text;
        if (int.TryParse(ordinalText, NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal) && ordinal < _gpus.Count)
        {
            return Devices[ordinal];
        }

        var valid = string.Join(", ", new[] { Auto, Cpu }.Concat(Enumerable.Range(0, _gpus.Count).Select(i => $"cuda:{i}")));
        throw new ArgumentException($"unknown device '{text}'; valid: {valid}{(HasGpu ? "" : $" (no GPU: {CudaStatus})")}");
    }

    /// <summary>Opens <paramref name="device"/> for running layers on the calling thread.</summary>
    public IExecutionDevice Open(DeviceInfo device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return device.Kind switch
        {
            DeviceKind.Cpu => new CpuExecutionDevice(),
            DeviceKind.Cuda when device.Ordinal < _gpus.Count => new CudaExecutionDevice(_gpus[device.Ordinal]),
            _ => throw new ArgumentException($"no such device: {device}"),
        };
    }
}
