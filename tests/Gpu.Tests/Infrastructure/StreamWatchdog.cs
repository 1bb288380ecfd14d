using System.Diagnostics;
using MoeTune.Cuda.Driver;

namespace MoeTune.Gpu.Tests.Infrastructure;

/// <summary>
/// Waits for a stream with a deadline. A kernel that hangs (an mbarrier waited on with the wrong parity, a lost
/// arrival, a spin on a flag nobody sets) never returns from a plain synchronise and takes the GPU with it: nothing
/// later in the run could finish. So past the deadline the process ends at once, saying what hung, instead of idling
/// until the run's own time limit.
/// </summary>
public static class StreamWatchdog
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    public static void Synchronize(CudaStream stream, string what)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var clock = Stopwatch.StartNew();
        while (!stream.IsIdle)
        {
            if (clock.Elapsed > Deadline)
            {
                Environment.FailFast($"GPU suite: {what} did not finish within {Deadline.TotalSeconds:F0} s; the kernel hangs");
            }

            Thread.Sleep(1);
        }

        stream.Synchronize(); // surfaces a kernel fault as an exception
    }
}
