using MoeTune.Cuda.Driver;
using MoeTune.Plugins.FlashInferCutlass.Runtime;

namespace MoeTune.Tools.GemmTimer;

/// <summary>
/// Times enqueued work with a CUDA event pair around each run on one stream: warm-up first, then one sample per run,
/// rotating over the given actions (different input sets, so that L2 does not flatter). Milliseconds per sample.
/// Stage times come from eager forwards with an event after each launch.
/// </summary>
internal sealed class ReplayTimer(CudaContext context, CudaStream stream) : IDisposable
{
    private const int WarmupRounds = 2;

    private readonly CudaEvent start = CudaEvent.Create(context);
    private readonly CudaEvent end = CudaEvent.Create(context);
    private readonly CudaEvent[] stageEnds = [.. Enum.GetValues<ForwardStage>().Select(_ => CudaEvent.Create(context))];

    public double[] Time(IReadOnlyList<Action<CudaStream>> runs, int samples, string what)
    {
        for (var round = 0; round < WarmupRounds; round++)
        {
            foreach (var run in runs) run(stream);
        }

        Watchdog.Await(context, stream, $"the warm-up of {what}");
        var result = new double[samples];
        for (var i = 0; i < samples; i++)
        {
            start.Record(stream);
            runs[i % runs.Count](stream);
            end.Record(stream);
            Watchdog.Await(end, what);
            result[i] = CudaEvent.ElapsedMilliseconds(start, end);
        }

        return result;
    }

    /// <summary>Median milliseconds of each stage over <paramref name="repeats"/> eager forwards (<paramref name="forward"/> calls back after each launch).</summary>
    public double[] TimeStages(Action<CudaStream, Action<ForwardStage>> forward, int repeats, string what)
    {
        var samples = new double[stageEnds.Length][];
        for (var s = 0; s < samples.Length; s++) samples[s] = new double[repeats];
        for (var r = 0; r < repeats; r++)
        {
            start.Record(stream);
            forward(stream, stage => stageEnds[(int)stage].Record(stream));
            Watchdog.Await(stageEnds[^1], what);
            for (var s = 0; s < stageEnds.Length; s++)
            {
                samples[s][r] = CudaEvent.ElapsedMilliseconds(s == 0 ? start : stageEnds[s - 1], stageEnds[s]);
            }
        }

        return [.. samples.Select(Median)];
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
        foreach (var e in stageEnds) e.Dispose();
    }
}
