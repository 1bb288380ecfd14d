using MoeTune.Abstractions.Devices;
using MoeTune.Tuning;

namespace MoeTune.Engine.Bench.Report;

/// <summary>
/// Builds the regret table (issue 7, point 3) from a run's problems: per (problem, routing, token count), each measured
/// backend's median over the best median, and the tuned plan's. Times are taken in the mode the tuner uses for that
/// count where it was measured, else in the one mode that was.
/// </summary>
public static class RegretTable
{
    public static IReadOnlyList<RegretRow> Build(IReadOnlyList<BenchProblem> problems, IReadOnlyList<int> tokens, IReadOnlyList<string> routings, IReadOnlyList<TimingMode> modes, DeviceKind device)
    {
        ArgumentNullException.ThrowIfNull(problems);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(routings);
        ArgumentNullException.ThrowIfNull(modes);
        var rows = new List<RegretRow>();
        foreach (var problem in problems)
        {
            var measured = problem.Backends.Where(b => b.Status == BackendStatus.Measured).ToList();
            foreach (var routing in routings)
            {
                TimingMode ModeFor(int t) => modes.Contains(TimingModes.TunerMode(device, t)) ? TimingModes.TunerMode(device, t) : modes[0];
                var (plan, planText) = TunedPlan(measured, tokens, routing, ModeFor);
                foreach (var t in tokens.Order())
                {
                    var mode = ModeFor(t);
                    var times = measured.Select(b => (b.Backend, Time: b.MedianAt(t, routing, mode))).ToList();
                    var best = times.Where(x => x.Time is not null).OrderBy(x => x.Time).FirstOrDefault();
                    var entries = times.Select(x => new RegretEntry(x.Backend, x.Time, x.Time / best.Time)).ToList();
                    var planBackend = plan?.BackendFor(t);
                    var planTime = planBackend is null ? null : times.FirstOrDefault(x => x.Backend == planBackend).Time;
                    rows.Add(new RegretRow(
                        problem.Label,
                        routing,
                        t,
                        mode,
                        best.Backend,
                        best.Time,
                        problem.FloorAt(t, routing)?.FloorMicroseconds,
                        entries,
                        planText,
                        planBackend,
                        planTime / best.Time));
                }
            }
        }

        return rows;
    }

    /// <summary>The plan <c>tune</c> would choose from these timings, or null and why none can be chosen.</summary>
    private static (Plan? Plan, string Text) TunedPlan(IReadOnlyList<BackendRun> measured, IReadOnlyList<int> tokens, string routing, Func<int, TimingMode> modeFor)
    {
        var candidates = measured.Select(b =>
        {
            var medians = tokens
                .Select(t => (t, Time: b.MedianAt(t, routing, modeFor(t))))
                .Where(x => x.Time is > 0)
                .ToDictionary(x => x.t, x => x.Time!.Value);
            return medians.Count == 0
                ? CandidateResult.Failed(b.Backend, "no timing succeeded")
                : CandidateResult.Timed(b.Backend, medians, b.WeightBytes, b.WorkspaceBytes);
        }).ToList();
        try
        {
            var choice = PlanChooser.ChoosePlan(candidates, TuningObjective.Latency);
            return (choice.Plan, choice.Plan.ToString());
        }
        catch (InvalidOperationException ex)
        {
            return (null, $"none: {ex.Message}");
        }
    }
}
