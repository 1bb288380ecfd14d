using MoeTune.Engine.Bench;
using MoeTune.Engine.Bench.Report;
using MoeTune.Host.Cli;
using Spectre.Console;

namespace MoeTune.Host.Commands;

/// <summary>
/// The progress of a bench run: on a terminal a live Spectre.Console bar counting timings, its description what runs
/// now; otherwise (a CI log, the lent GPU's captured output) one line on standard error per tenth of the run, so that
/// the log's tail keeps the summary.
/// </summary>
internal static class BenchProgressDisplay
{
    public static BenchReport Run(CliContext context, Func<IProgress<BenchProgress>, BenchReport> run)
    {
        if (!context.Interactive)
        {
            var tenthShown = -1;
            return run(new Reporter(p =>
            {
                var tenth = p.Total == 0 ? 10 : p.Done * 10 / p.Total;
                if (tenth > tenthShown)
                {
                    tenthShown = tenth;
                    context.Error.WriteLine($"bench {tenth * 10}%: {p.Activity}");
                }
            }));
        }

        return context.Console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(display =>
            {
                var bar = display.AddTask("bench", maxValue: 1);
                return run(new Reporter(p =>
                {
                    bar.MaxValue = Math.Max(1, p.Total);
                    bar.Value = p.Done;
                    bar.Description = Markup.Escape(p.Activity);
                }));
            });
    }

    /// <summary>Reports synchronously on the bench's thread (Progress&lt;T&gt; would post to the thread pool, out of order).</summary>
    private sealed class Reporter(Action<BenchProgress> report) : IProgress<BenchProgress>
    {
        public void Report(BenchProgress value) => report(value);
    }
}
