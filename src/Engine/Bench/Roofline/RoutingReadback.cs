using MoeTune.Abstractions.Tensors;
using MoeTune.Cuda.Driver;
using MoeTune.Engine.Devices;

namespace MoeTune.Engine.Bench.Roofline;

/// <summary>
/// Reads the expert ids a rotation set actually holds, so that a floor counts the experts of the routing that was timed
/// rather than of a second draw that is hoped to match it.
/// </summary>
internal static class RoutingReadback
{
    public static unsafe int[] ExpertIds(ForwardTensors tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var ids = tensors.TopKIds;
        var result = new int[checked((int)ids.ElementCount)];
        if (ids.Location == MemoryLocation.Host)
        {
            new ReadOnlySpan<int>((void*)ids.Address, result.Length).CopyTo(result);
        }
        else
        {
            // The device's context is current on this thread: the forward tensors were allocated on it.
            DeviceMemory.CopyToHost<int>(result, ids.Address);
        }

        return result;
    }
}
