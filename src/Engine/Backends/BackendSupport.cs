using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;

namespace MoeTune.Engine.Backends;

/// <summary>Asks a backend whether it can run a problem, where the backend is foreign code that might throw.</summary>
public static class BackendSupport
{
    /// <summary>The backend's answer; a check that throws is a "no" with the exception as its reason, never a crash.</summary>
    public static SupportDecision Check(IMoeBackend backend, DeviceInfo device, MoeShape problem)
    {
        ArgumentNullException.ThrowIfNull(backend);
        try
        {
            return backend.CheckSupport(device, problem) ?? SupportDecision.No("the support check returned nothing");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return SupportDecision.No($"support check threw {ex.GetType().Name}: {ex.Message}");
        }
    }
}
