using MoeTune.Cuda.Native;

namespace MoeTune.Engine.Bench;

/// <summary>
/// Remembers the first sticky CUDA error of a run (an illegal address, a trap): after it every call on the context fails,
/// so the rest of the run is recorded as not run, naming that error, instead of as a cascade of unrelated failures.
/// </summary>
internal sealed class GpuPoison
{
    public string? Reason { get; private set; }

    /// <summary>Records <paramref name="error"/> where it is sticky; returns whether it was.</summary>
    public bool Check(Exception error, string where)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is CudaException { IsSticky: true } sticky)
            {
                Reason ??= $"{where}: {sticky.Message}";
                return true;
            }
        }

        return false;
    }
}
