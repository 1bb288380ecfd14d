using MoeTune.Abstractions.Devices;
using MoeTune.Tuning;

namespace MoeTune.Engine.Bench.Report;

/// <summary>
/// Builds the regret table (issue 7, point 3) from a run's problems: per (problem, routing, token count), each measured
/// backend's median over the best median, and that of two plans chosen from the same timings: <c>tune</c>'s default
/// (one backend) and <c>tune --hybrid</c>'s (per-bucket backends allowed). Times are taken in the mode the tuner uses
/// for that count where it was measured, else in the one mode that was.
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
                var candidates = Candidates(measured, tokens, routing, ModeFor);
                var tuned = ChoosePlan(candidates, allowHybrid: false);
                var hybrid = ChoosePlan(candidates, allowHybrid: true);
                foreach (var t in tokens.Order())
                {
                    var mode = ModeFor(t);
                    var times = measured.Select(b => (b.Backend, Time: b.MedianAt(t, routing, mode))).ToList();
                    var best = times.Where(x => x.Time is not null).OrderBy(x => x.Time).FirstOrDefault();
                    var entries = times.Select(x => new RegretEntry(x.Backend, x.Time, x.Time / best.Time)).ToList();
                    RegretPlan At(ChosenPlan chosen)
                    {
                        var backend = chosen.Plan?.BackendFor(t);
                        var time = backend is null ? null : times.FirstOrDefault(x => x.Backend == backend).Time;
                        return new RegretPlan(chosen.Text, backend, time / best.Time, chosen.ExtraBytes);
                    }

                    rows.Add(new RegretRow(
                        problem.Label,
                        routing,
                        t,
                        mode,
                        best.Backend,
                        best.Time,
                        problem.FloorAt(t, routing)?.FloorMicroseconds,
                        entries,
                        At(tuned),
                        At(hybrid)));
                }
            }
        }

        return rows;
    }

    /// <summary>Each measured backend as the plan rules see it: its medians per token count, or failed where none succeeded.</summary>
    private static List<CandidateResult> Candidates(IReadOnlyList<BackendRun> measured, IReadOnlyList<int> tokens, string routing, Func<int, TimingMode> modeFor) =>
        measured.Select(b =>
        {
            var medians = tokens
                .Select(t => (t, Time: b.MedianAt(t, routing, modeFor(t))))
                .Where(x => x.Time is > 0)
                .ToDictionary(x => x.t, x => x.Time!.Value);
            return medians.Count == 0
                ? CandidateResult.Failed(b.Backend, "no timing succeeded")
                : CandidateResult.Timed(b.Backend, medians, b.WeightBytes, b.WorkspaceBytes);
        }).ToList();

    /// <summary>The plan <c>tune</c> (with <c>--hybrid</c> where <paramref name="allowHybrid"/>) would choose from these timings, or null and why none can be chosen.</summary>
    private static ChosenPlan ChoosePlan(IReadOnlyList<CandidateResult> candidates, bool allowHybrid)
    {
        try
        {
            var choice = PlanChooser.ChoosePlan(candidates, TuningObjective.Latency, options: new PlanOptions { AllowHybrid = allowHybrid });
            return new ChosenPlan(choice.Plan, choice.Plan.ToString(), choice.ExtraBytes);
        }
        catch (InvalidOperationException ex)
        {
            return new ChosenPlan(null, $"none: {ex.Message}", 0);
        }
    }

    private sealed record ChosenPlan(Plan? Plan, string Text, long ExtraBytes);
}
