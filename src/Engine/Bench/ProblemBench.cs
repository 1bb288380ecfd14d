using System.Globalization;
using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;
using MoeTune.Engine.Accuracy;
using MoeTune.Engine.Autotuning;
using MoeTune.Engine.Backends;
using MoeTune.Engine.Bench.Ceilings;
using MoeTune.Engine.Bench.Report;
using MoeTune.Engine.Bench.Roofline;
using MoeTune.Engine.Devices;
using MoeTune.Engine.Plugins;
using MoeTune.Reference.Synthetic;

namespace MoeTune.Engine.Bench;

/// <summary>
/// One (model, format) of a bench run: synthetic weights generated once and shared by every backend and token count,
/// each backend prepared, gated and timed in turn (its prepared layer freed before the next), and the roofline floor
/// of each (token count, routing) computed from the routing the rotation actually holds.
/// </summary>
internal sealed class ProblemBench(BenchContext context, ProblemPlan problem, HardwareCeilings ceilings)
{
    private readonly Dictionary<(int Tokens, string Routing), RooflineFloor> _floors = [];
    private readonly MoeShape _shape = problem.Shape;
    private MoeWeights? _weights;
    private GateCase? _gate;

    private BenchRequest Request => context.Request;

    private IExecutionDevice Device => context.Device;

    private int TimingsPerBackend => Request.Tokens.Count * Request.Routings.Count * context.Modes.Count;

    public BenchProblem Run()
    {
        var runs = new List<BackendRun>();
        foreach (var candidate in problem.Candidates)
        {
            runs.Add(RunCandidate(candidate));
        }

        var floors = _floors.Values.OrderBy(f => f.Tokens).ThenBy(f => f.Routing, StringComparer.Ordinal).ToList();
        return new BenchProblem(problem.Model.Name, problem.Model.Source, _shape.CanonicalText, _shape.Format, FloorNote(), floors, runs);
    }

    private BackendRun RunCandidate(CandidatePlan candidate)
    {
        var backend = candidate.Backend;
        if (candidate.Support is null)
        {
            return Outcome(backend, BackendStatus.Failed, candidate.Error);
        }

        if (!candidate.Support.IsSupported)
        {
            return Outcome(backend, BackendStatus.Unsupported, candidate.Support.Reason);
        }

        if (context.Poison.Reason is { } poisoned)
        {
            context.Progress.Settle(TimingsPerBackend);
            return Outcome(backend, BackendStatus.NotRun, $"the GPU was left unusable by {poisoned}");
        }

        try
        {
            return Measure(backend);
        }
        finally
        {
            context.Progress.Settle(TimingsPerBackend);
        }
    }

    private BackendRun Measure(RegisteredBackend backend)
    {
        var step = "generating weights";
        IPreparedMoeLayer? layer = null;
        try
        {
            if (_weights is null)
            {
                context.Progress.Report($"{problem.Model.Name} {_shape.Format.ToName()}: generating synthetic weights");
                _weights = SyntheticWeights.Generate(_shape, Request.Seed);
            }

            var weights = _weights;
            step = "prepare";
            context.Progress.Report($"{Label(backend)}: prepare");
            layer = backend.Backend.Prepare(weights, PrepareContext());
            double? gateError = null;
            if (Request.CorrectnessGate)
            {
                step = "correctness gate";
                context.Progress.Report($"{Label(backend)}: correctness gate");
                _gate ??= new GateCase(weights, Request.Seed);
                using var tensors = Device.AllocateTensors(_shape, GateCase.Tokens);
                gateError = _gate.Check(layer, Device, tensors);
                if (!(gateError <= RelativeError.Bf16Tolerance))
                {
                    var detail = double.IsFinite(gateError.Value)
                        ? string.Create(CultureInfo.InvariantCulture, $"relative Frobenius error {gateError:0.####} > {RelativeError.Bf16Tolerance} against the CPU reference")
                        : "output holds NaN or infinity (left unwritten or overflowed)";
                    return Outcome(backend, BackendStatus.Incorrect, detail) with { CorrectnessError = double.IsFinite(gateError.Value) ? gateError : null };
                }
            }

            step = "timing";
            using var copies = new WeightCopies(layer, () => backend.Backend.Prepare(weights, PrepareContext()));
            var (weightBytes, workspaceBytes) = (layer.WeightBytes, layer.WorkspaceBytes);
            layer = null; // the copies own it now
            var points = TimeAll(backend, copies);
            return Outcome(backend, BackendStatus.Measured, copies.Shortfall ?? "") with
            {
                WeightBytes = weightBytes,
                WorkspaceBytes = workspaceBytes,
                CorrectnessError = gateError,
                Points = points,
            };
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            context.Poison.Check(ex, $"{Label(backend)} ({step})");
            return Outcome(backend, BackendStatus.Failed, $"{step}: {PluginCatalog.Describe(ex)}");
        }
        finally
        {
            layer?.Dispose();
        }
    }

    private List<BenchPoint> TimeAll(RegisteredBackend backend, WeightCopies copies)
    {
        var points = new List<BenchPoint>();
        foreach (var tokens in Request.Tokens)
        {
            foreach (var routing in Request.Routings)
            {
                var label = routing.ToString();
                IReadOnlyList<ForwardTensors> rotation = [];
                try
                {
                    rotation = InputRotation.Create(Device, _shape, tokens, routing, Request.Seed);
                    var floor = Floor(tokens, label, rotation);
                    var needed = floor is null ? 1 : WeightCopies.Needed(floor.RotationWeightBytes, Device.Info.L2CacheBytes, rotation.Count);
                    var (layer, used) = copies.Cycling(needed);
                    foreach (var mode in context.Modes)
                    {
                        points.Add(TimeOne(backend, layer, used, rotation, tokens, label, mode, floor));
                    }
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // The rotation itself (device memory, the copies) failed: every mode of this point failed with it.
                    context.Poison.Check(ex, $"{Label(backend)} at {tokens} tokens");
                    points.AddRange(context.Modes.Select(m => Failed(tokens, label, m, $"inputs: {PluginCatalog.Describe(ex)}")));
                }
                finally
                {
                    foreach (var set in rotation)
                    {
                        set.Dispose();
                    }
                }
            }
        }

        return points;
    }

    private BenchPoint TimeOne(
        RegisteredBackend backend, IPreparedMoeLayer layer, int copies, IReadOnlyList<ForwardTensors> rotation, int tokens, string routing, TimingMode mode, RooflineFloor? floor)
    {
        if (context.Poison.Reason is { } poisoned)
        {
            return new BenchPoint(tokens, routing, mode, PointStatus.NotRun, $"the GPU was left unusable by {poisoned}", 0, null, null, null, null);
        }

        context.Progress.Report(string.Create(CultureInfo.InvariantCulture, $"{Label(backend)} · {tokens} tokens · {routing} · {mode.ToName()}"));
        try
        {
            var budget = context.NextBudget();
            using var sampler = Device.CreateSampler(layer, rotation, mode == TimingMode.Graph);
            var timing = TimingSummary.From(context.Runner.Run(sampler.Sample, budget));
            var seconds = timing.MedianMicroseconds * 1e-6;
            return new BenchPoint(
                tokens, routing, mode, PointStatus.Measured, "", copies, timing,
                floor?.WeightBytes / seconds, floor?.Flops / seconds, floor?.FloorMicroseconds / timing.MedianMicroseconds);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            context.Poison.Check(ex, string.Create(CultureInfo.InvariantCulture, $"{Label(backend)} at {tokens} tokens ({mode.ToName()})"));
            return Failed(tokens, routing, mode, PluginCatalog.Describe(ex));
        }
    }

    /// <summary>The floor of this (token count, routing), computed once from the first rotation built for it.</summary>
    private RooflineFloor? Floor(int tokens, string routing, IReadOnlyList<ForwardTensors> rotation)
    {
        if (_floors.TryGetValue((tokens, routing), out var known))
        {
            return known;
        }

        if (ceilings.ReadBandwidth is not { } read || ceilings.MatrixRateFor(_shape.Format) is not { } matrix)
        {
            return null;
        }

        var ids = rotation.Select(RoutingReadback.ExpertIds).ToList();
        var floor = RooflineFloor.Compute(_shape, tokens, routing, ids, read.PerSecond!.Value, matrix.PerSecond!.Value);
        _floors[(tokens, routing)] = floor;
        return floor;
    }

    private string FloorNote()
    {
        if (ceilings.ReadBandwidth is null)
        {
            return "no floors: the read bandwidth was not measured";
        }

        if (ceilings.MatrixRateFor(_shape.Format) is not { } matrix)
        {
            return "no floors: no matrix rate was measured";
        }

        return _shape.Format == WeightFormat.Fp8 && matrix.Kind != CeilingKind.Fp8MatrixRate
            ? "the FP8 matrix rate was not measured: compute floors use the bf16 rate, a looser floor"
            : "";
    }

    /// <summary>Workspaces for the largest token count asked for, and for the gate's case.</summary>
    private Abstractions.Backends.PrepareContext PrepareContext() => Device.PrepareContext(Math.Max(GateCase.Tokens, Request.Tokens.Max()));

    private string Label(RegisteredBackend backend) => $"{problem.Model.Name} {_shape.Format.ToName()} · {backend.Name}";

    private static BenchPoint Failed(int tokens, string routing, TimingMode mode, string error) =>
        new(tokens, routing, mode, PointStatus.Failed, error, 0, null, null, null, null);

    private static BackendRun Outcome(RegisteredBackend backend, BackendStatus status, string detail) =>
        new(backend.Name, backend.Backend.Version, backend.Source, status, detail, 0, 0, null, []);
}
