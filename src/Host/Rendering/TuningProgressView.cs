using MoeTune.Engine.Autotuning;
using MoeTune.Host.Cli;
using Spectre.Console;

namespace MoeTune.Host.Rendering;

/// <summary>
/// Shows an autotune's progress: a live Spectre.Console progress display with one bar per candidate on a terminal,
/// one line per finished candidate (on standard error) otherwise.
/// </summary>
internal static class TuningProgressView
{
    public static T Run<T>(CliContext context, Func<IProgress<TuningProgress>, T> work)
    {
        if (!context.Interactive)
        {
            return work(new Reporter(p =>
            {
                if (p.IsCandidateDone)
                {
                    context.Error.WriteLine($"tuning [{p.CandidateIndex + 1}/{p.CandidateCount}] {p.Backend}: {p.Activity}");
                }
            }));
        }

        return context.Console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(display =>
            {
                var bars = new Dictionary<int, ProgressTask>();
                return work(new Reporter(p =>
                {
                    if (!bars.TryGetValue(p.CandidateIndex, out var bar))
                    {
                        bar = display.AddTask(Markup.Escape(p.Backend), maxValue: Math.Max(1, p.StepCount));
                        bars[p.CandidateIndex] = bar;
                    }

                    bar.Description = Markup.Escape($"{p.Backend}: {p.Activity}");
                    bar.MaxValue = Math.Max(1, p.StepCount);
                    bar.Value = p.IsCandidateDone ? bar.MaxValue : p.StepsDone;
                }));
            });
    }

    /// <summary>Reports synchronously on the tuner's thread (Progress&lt;T&gt; would post to the thread pool, out of order).</summary>
    private sealed class Reporter(Action<TuningProgress> report) : IProgress<TuningProgress>
    {
        public void Report(TuningProgress value) => report(value);
    }
}
