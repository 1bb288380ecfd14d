namespace MoeTune.Engine.Bench;

/// <summary>Counts timings taken against the plan and reports each step to the caller's progress display.</summary>
internal sealed class ProgressTracker(IProgress<BenchProgress>? progress, int total, BenchBudget budget)
{
    private int _done;
    private int _settledAt;
    private string _activity = "";

    /// <summary>Says what the run does next.</summary>
    public void Report(string activity)
    {
        _activity = activity;
        progress?.Report(new BenchProgress(activity, _done, total));
    }

    /// <summary>One timing starts (its budget was just taken).</summary>
    public void Advance()
    {
        _done = Math.Min(total, _done + 1);
        progress?.Report(new BenchProgress(_activity, _done, total));
    }

    /// <summary>
    /// A block of <paramref name="planned"/> timings is over, however many of them ran: the count catches up, and
    /// the budget forgets the ones that did not run, so that their time goes to the rest.
    /// </summary>
    public void Settle(int planned)
    {
        var target = Math.Min(total, _settledAt + planned);
        budget.Forgo(Math.Max(0, target - _done));
        _done = Math.Max(_done, target);
        _settledAt = target;
        progress?.Report(new BenchProgress(_activity, _done, total));
    }
}
