using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Cuda.Compilation;
using MoeTune.Engine.Backends;
using MoeTune.Engine.Bench.Ceilings;
using MoeTune.Engine.Bench.Report;
using MoeTune.Engine.Devices;
using MoeTune.Engine.Plugins;
using MoeTune.Tuning;

namespace MoeTune.Engine.Bench;

/// <summary>
/// Runs <c>moetune bench</c> (issue 7) on one opened device: measures the device's ceilings, then every requested
/// backend on every (model, format) at every token count, routing and timing mode with the tuner's measurement engine,
/// and builds the report with floors, efficiencies and the regret table. Backends that cannot run a problem, fail or
/// miss the reference appear with their reason or error; nothing is dropped.
/// </summary>
public sealed class BenchRunner
{
    /// <summary>Ceiling timings the budget plans for: read, copy, bf16 and FP8 matrix rates.</summary>
    private const int CeilingMeasurements = 4;

    private readonly BackendCatalog _catalog;
    private readonly KernelCompiler? _compiler;
    private readonly TimeProvider _clock;

    /// <param name="catalog">The registered backends (built-in and plugins).</param>
    /// <param name="compiler">Compiles the GPU ceiling kernels; may be null for CPU runs.</param>
    /// <param name="clock">The wall clock budgets are counted on.</param>
    public BenchRunner(BackendCatalog catalog, KernelCompiler? compiler, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        _catalog = catalog;
        _compiler = compiler;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>
    /// Checks <paramref name="request"/> before anything runs: its fields, that every backend it names exists, and that
    /// every model can be described in every format asked for (4-bit formats need sizes divisible by their block).
    /// </summary>
    /// <exception cref="ArgumentException">The first problem found; an unknown backend's message lists the valid names.</exception>
    public void Validate(BenchRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        _ = SelectBackends(request.Backends);
        foreach (var model in request.Models)
        {
            foreach (var format in request.Formats ?? [])
            {
                _ = model.WithFormat(format);
            }
        }
    }

    /// <summary>Runs the whole bench on <paramref name="device"/>, whose context must be current on this thread.</summary>
    /// <exception cref="ArgumentException">The request is invalid (see <see cref="Validate"/>).</exception>
    public BenchReport Run(BenchRequest request, IExecutionDevice device, IProgress<BenchProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        Validate(request);
        var startedAt = _clock.GetUtcNow();
        var notes = new List<string>();
        var modes = ModesOn(device.Info, request.Modes, notes);
        var backends = SelectBackends(request.Backends);
        var problems = Problems(request, backends, device.Info);
        var perBackend = request.Tokens.Count * request.Routings.Count * modes.Count;
        var planned = CeilingMeasurements + problems.Sum(p => p.Candidates.Count(c => c.Support?.IsSupported == true) * perBackend);
        var budget = new BenchBudget(request.Budget, planned, _clock);
        var tracker = new ProgressTracker(progress, planned, budget);
        var runner = new MeasurementRunner(request.Policy, _clock);
        var poison = new GpuPoison();
        var context = new BenchContext(request, device, modes, runner, budget, tracker, poison);

        var ceilings = MeasureCeilings(context, backends);
        var results = new List<BenchProblem>();
        foreach (var problem in problems)
        {
            results.Add(new ProblemBench(context, problem, ceilings).Run());

            // The next problem generates its own weights, up to tens of GB for the largest presets: let this one's go first.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        }

        var routings = request.Routings.Select(r => r.ToString()).ToList();
        var regret = RegretTable.Build(results, request.Tokens, routings, modes, device.Info.Kind);
        var environment = BenchEnvironment.Capture(device.Info, _catalog, request.CommandLine, startedAt);
        return new BenchReport(environment, ceilings, results, regret, notes, budget.Elapsed, poison.Reason);
    }

    private static List<TimingMode> ModesOn(DeviceInfo device, IReadOnlyList<TimingMode> requested, List<string> notes)
    {
        var modes = requested.Distinct().ToList();
        if (device.Kind == DeviceKind.Cpu && modes.Remove(TimingMode.Graph))
        {
            notes.Add("graph replay was requested but the CPU has no CUDA graphs: CPU timings are eager only");
        }

        return modes.Count > 0
            ? modes
            : throw new ArgumentException("no timing mode can run on the CPU: ask for eager");
    }

    private IReadOnlyList<RegisteredBackend> SelectBackends(IReadOnlyList<string>? names)
    {
        if (names is null || names.Count == 0)
        {
            return _catalog.InPriorityOrder;
        }

        var chosen = new List<RegisteredBackend>();
        foreach (var name in names)
        {
            var backend = _catalog.Registry.Find(name)
                ?? throw new ArgumentException($"unknown backend '{name}'; valid: {string.Join(", ", _catalog.Registry.ValidNames)}");
            if (!chosen.Contains(backend))
            {
                chosen.Add(backend);
            }
        }

        return _catalog.InPriorityOrder.Where(chosen.Contains).ToList();
    }

    private static List<ProblemPlan> Problems(BenchRequest request, IReadOnlyList<RegisteredBackend> backends, DeviceInfo device)
    {
        var problems = new List<ProblemPlan>();
        foreach (var model in request.Models)
        {
            foreach (var format in request.Formats ?? [model.Shape.Format])
            {
                var spec = model.WithFormat(format);
                if (problems.Any(p => p.Model.Name == spec.Name && p.Shape == spec.Shape))
                {
                    continue;
                }

                problems.Add(new ProblemPlan(spec, spec.Shape, backends.Select(b => CheckSupport(b, device, spec.Shape)).ToList()));
            }
        }

        return problems;
    }

    private static CandidatePlan CheckSupport(RegisteredBackend backend, DeviceInfo device, MoeShape shape)
    {
        try
        {
            return new CandidatePlan(backend, backend.Backend.CheckSupport(device, shape), "");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Plugin code is foreign: a throwing support check is that backend's failure, not the run's.
            return new CandidatePlan(backend, null, $"support check threw: {PluginCatalog.Describe(ex)}");
        }
    }

    private HardwareCeilings MeasureCeilings(BenchContext context, IReadOnlyList<RegisteredBackend> backends)
    {
        var device = context.Device;
        context.Progress.Report("ceilings");
        try
        {
            IReadOnlyList<Ceiling> measured = device.Info.Kind == DeviceKind.Cuda
                ? new GpuCeilingProbe(_compiler ?? throw new InvalidOperationException("GPU ceilings need the kernel compiler"), context.Runner, context.NextBudget)
                    .Measure(device.Stream, (precision, reason) => new OwnKernelMatrixRate(context, backends).Measure(precision, reason))
                : new CpuCeilingProbe(context.Runner, context.NextBudget).Measure();
            return new HardwareCeilings(measured);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            context.Poison.Check(ex, "measuring the ceilings");
            var reason = $"the ceilings could not be measured: {PluginCatalog.Describe(ex)}";
            return new HardwareCeilings(Enum.GetValues<CeilingKind>().Select(k => Ceiling.Missing(k, "none", reason)).ToList());
        }
        finally
        {
            context.Progress.Settle(CeilingMeasurements);
        }
    }
}

/// <summary>One backend's answer for one problem: its support decision, or why the check itself failed.</summary>
internal sealed record CandidatePlan(RegisteredBackend Backend, SupportDecision? Support, string Error);

/// <summary>One (model, format) to benchmark and its candidates.</summary>
internal sealed record ProblemPlan(Models.ModelSpec Model, MoeShape Shape, IReadOnlyList<CandidatePlan> Candidates);

/// <summary>What every part of one run shares.</summary>
internal sealed record BenchContext(
    BenchRequest Request,
    IExecutionDevice Device,
    IReadOnlyList<TimingMode> Modes,
    MeasurementRunner Runner,
    BenchBudget Budget,
    ProgressTracker Progress,
    GpuPoison Poison)
{
    /// <summary>The next measurement's share of the budget, counted as one timing done.</summary>
    public TimeSpan NextBudget()
    {
        Progress.Advance();
        return Budget.Next();
    }
}
