using System.Globalization;
using MoeTune.Cuda.Native;

namespace MoeTune.Cuda.Driver;

/// <summary>
/// The process's view of the CUDA driver: initialised once, on first use. "No driver" and "no GPU" are normal
/// answers (<see cref="TryGetDevices"/>), carrying the reason and the library search trace; only the throwing
/// accessors turn them into a <see cref="CudaUnavailableException"/>.
/// </summary>
public static class CudaRuntime
{
    private static readonly Lazy<State> Initialized = new(Initialize);

    /// <summary>True where the driver loaded and <c>cuInit</c> found at least one device.</summary>
    public static bool TryInitialize(out string reason)
    {
        var state = Initialized.Value;
        reason = state.Reason;
        return state.Devices.Count > 0;
    }

    /// <summary>The devices the driver reports, or false and why there are none.</summary>
    public static bool TryGetDevices(out IReadOnlyList<CudaDevice> devices, out string reason)
    {
        var state = Initialized.Value;
        devices = state.Devices;
        reason = state.Reason;
        return devices.Count > 0;
    }

    /// <summary>The devices; throws <see cref="CudaUnavailableException"/> with the reason where there are none.</summary>
    public static IReadOnlyList<CudaDevice> Devices => TryGetDevices(out var devices, out var reason)
        ? devices
        : throw new CudaUnavailableException(reason);

    /// <summary>The driver's CUDA version as an integer (13000 for 13.0); throws where the driver is absent.</summary>
    public static int DriverVersion => Initialized.Value.DriverVersion is { } v ? v : throw new CudaUnavailableException(Initialized.Value.Reason);

    /// <summary>The driver's CUDA version as text ("13.0").</summary>
    public static string DriverVersionText => FormatVersion(DriverVersion);

    /// <summary>The resolver's account of where libcuda came from.</summary>
    public static NativeLibraryResolution DriverLibrary => NativeLibraryResolver.Driver;

    internal static void EnsureInitialized()
    {
        if (!TryInitialize(out var reason))
        {
            throw new CudaUnavailableException(reason);
        }
    }

    internal static string FormatVersion(int version) =>
        string.Create(CultureInfo.InvariantCulture, $"{version / 1000}.{version % 1000 / 10}");

    private static State Initialize()
    {
        NativeLibraryResolver.Install();
        var library = NativeLibraryResolver.Driver;
        if (!library.IsLoaded)
        {
            return new State([], null, library.Describe());
        }

        var init = Interop.CudaDriver.cuInit(0);
        if (init != CuResult.Success)
        {
            var error = CudaErrors.ToException(init, "cuInit");
            var what = init == CuResult.NoDevice ? "reports no CUDA device" : "could not initialise";
            return new State([], null, $"the CUDA driver ({library.LoadedFrom}) {what}: {error.Message}");
        }

        CudaErrors.Check(Interop.CudaDriver.cuDriverGetVersion(out var version));
        CudaErrors.Check(Interop.CudaDriver.cuDeviceGetCount(out var count));
        var devices = Enumerable.Range(0, count).Select(i => new CudaDevice(i, FormatVersion(version))).ToArray();
        var reason = count > 0
            ? $"{count} CUDA device(s), driver {FormatVersion(version)} ({library.LoadedFrom})"
            : $"the CUDA driver {FormatVersion(version)} ({library.LoadedFrom}) reports no device";
        return new State(devices, version, reason);
    }

    private sealed record State(IReadOnlyList<CudaDevice> Devices, int? DriverVersion, string Reason);
}
