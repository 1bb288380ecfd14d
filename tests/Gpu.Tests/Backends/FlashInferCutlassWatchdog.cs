using System.Diagnostics;
using MoeTune.Cuda.Driver;

namespace MoeTune.Gpu.Tests.Backends;

/// <summary>
/// Waits for FlashInferCutlass work with a deadline. A pipeline that hangs (an mbarrier waited on with the wrong
/// parity, a lost arrival) never returns from a plain synchronise and takes the GPU with it: nothing later in the run
/// could finish. So past the deadline the process ends at once, saying which forward hung, instead of idling until
/// the run's own time limit.
/// </summary>
public static class FlashInferCutlassWatchdog
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
                Environment.FailFast($"FlashInferCutlass: {what} did not finish within {Deadline.TotalSeconds:F0} s; the kernel pipeline hangs (see plugins/FlashInferCutlass/NOTES.md, 'Risks')");
            }

            Thread.Sleep(1);
        }

        stream.Synchronize(); // surfaces a kernel fault as an exception
    }
}
