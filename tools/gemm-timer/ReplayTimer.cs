using MoeTune.Cuda.Driver;

namespace MoeTune.Tools.GemmTimer;

/// <summary>
/// Times enqueued work with a CUDA event pair around each run on one stream: warm-up first, then one sample per run,
/// rotating over the given actions (different input sets, so that L2 does not flatter). Milliseconds per sample.
/// </summary>
internal sealed class ReplayTimer(CudaContext context, CudaStream stream) : IDisposable
{
    private const int WarmupRounds = 2;

    private readonly CudaEvent start = CudaEvent.Create(context);
    private readonly CudaEvent end = CudaEvent.Create(context);

    public double[] Time(IReadOnlyList<Action<CudaStream>> runs, int samples)
    {
        for (var round = 0; round < WarmupRounds; round++)
        {
            foreach (var run in runs) run(stream);
        }

        stream.Synchronize();
        var result = new double[samples];
        for (var i = 0; i < samples; i++)
        {
            start.Record(stream);
            runs[i % runs.Count](stream);
            end.Record(stream);
            end.Synchronize();
            result[i] = CudaEvent.ElapsedMilliseconds(start, end);
        }

        return result;
    }

    public static double Median(double[] samples)
    {
        var sorted = samples.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public void Dispose()
    {
        start.Dispose();
        end.Dispose();
    }
}
