using MoeTune.Abstractions.Devices;
using MoeTune.Engine.Devices;

namespace MoeTune.Engine.Bench;

/// <summary>How forwards are launched while timed.</summary>
public enum TimingMode
{
    /// <summary>One CUDA graph per rotation replayed: launch overhead as an engine's decode loop sees it.</summary>
    Graph,

    /// <summary>Forward called directly each time: launch overhead included, as an engine without graphs sees it.</summary>
    Eager,
}

public static class TimingModes
{
    public static string ToName(this TimingMode mode) => mode == TimingMode.Graph ? "graph" : "eager";

    public static bool TryParse(string? text, out TimingMode mode)
    {
        foreach (var candidate in new[] { TimingMode.Graph, TimingMode.Eager })
        {
            if (string.Equals(candidate.ToName(), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                mode = candidate;
                return true;
            }
        }

        mode = default;
        return false;
    }

    /// <summary>The mode the tuner times <paramref name="tokens"/> tokens in on a device of <paramref name="kind"/> (see <see cref="IExecutionDevice.CreateSampler"/>).</summary>
    public static TimingMode TunerMode(DeviceKind kind, int tokens) =>
        kind == DeviceKind.Cuda && tokens <= CudaEventSampler.GraphTokenLimit ? TimingMode.Graph : TimingMode.Eager;
}
