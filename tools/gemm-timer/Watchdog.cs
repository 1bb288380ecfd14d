using System.Diagnostics;
using MoeTune.Cuda.Driver;

namespace MoeTune.Tools.GemmTimer;

/// <summary>
/// Waits for enqueued GPU work with a time limit. A grouped GEMM whose barrier protocol hangs would otherwise hold the
/// process (and the lent GPU) until an outer timeout and print nothing; here the process ends with a message naming
/// what hung and exit code 3, after every line printed so far. A hung kernel cannot be recovered in-process.
/// </summary>
internal static class Watchdog
{
    public const int ExitCode = 3;

    public static TimeSpan Limit { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Returns once <paramref name="done"/> has completed; ends the process if that takes longer than <see cref="Limit"/>.</summary>
    public static void Await(CudaEvent done, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!done.IsComplete)
        {
            if (clock.Elapsed > Limit)
            {
                Console.Out.Flush();
                Console.Error.WriteLine($"gemm-timer: {what} did not finish within {Limit.TotalSeconds:F0} s; the kernel probably hangs. Ending the process.");
                Environment.Exit(ExitCode);
            }

            Thread.Sleep(1);
        }
    }

    /// <summary>Records an event on <paramref name="stream"/> and awaits it.</summary>
    public static void Await(CudaContext context, CudaStream stream, string what)
    {
        using var done = CudaEvent.Create(context, timing: false);
        done.Record(stream);
        Await(done, what);
    }
}
