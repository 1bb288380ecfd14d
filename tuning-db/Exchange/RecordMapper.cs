using System.Globalization;
using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Tuning;

namespace MoeTune.TuningDb.Exchange;

/// <summary>
/// Converts between the public records and their JSON shapes. Reading validates every field and reports the first
/// problem with <c>where</c> (a JSON path such as <c>$.measurements[2]</c>, or a stored record's id) in the message.
/// </summary>
internal static class RecordMapper
{
    private static readonly (CandidateOutcome Outcome, string Name)[] StatusNames =
        [(CandidateOutcome.Ok, "ok"), (CandidateOutcome.Failed, "failed"), (CandidateOutcome.Unsupported, "unsupported"), (CandidateOutcome.Incorrect, "incorrect")];

    public static GpuClassRecord ToRecord(GpuClass gpu) => new()
    {
        Kind = gpu.Kind switch
        {
            DeviceKind.Cuda => "cuda",
            DeviceKind.Cpu => "cpu",
            _ => throw new ArgumentOutOfRangeException(nameof(gpu), gpu.Kind, "unknown device kind"),
        },
        Name = gpu.Name,
        SmMajor = gpu.SmMajor,
        SmMinor = gpu.SmMinor,
        SmCount = gpu.SmCount,
        MemoryBytes = gpu.MemoryBytes,
    };

    public static GpuClass ToGpuClass(GpuClassRecord r, string where)
    {
        var kind = r.Kind switch
        {
            "cuda" => DeviceKind.Cuda,
            "cpu" => DeviceKind.Cpu,
            _ => throw Invalid($"{where}.kind", $"'{r.Kind}' is not a device kind (cuda or cpu)"),
        };

        Require(!string.IsNullOrWhiteSpace(r.Name), $"{where}.name", "is empty");
        Require(r.SmMajor >= 0 && r.SmMinor >= 0, $"{where}.smMajor", "SM version must not be negative");
        Require(r.SmCount > 0, $"{where}.smCount", "must be positive");
        Require(r.MemoryBytes > 0, $"{where}.memoryBytes", "must be positive");
        return new GpuClass(kind, r.Name, r.SmMajor, r.SmMinor, r.SmCount, r.MemoryBytes);
    }

    public static MeasurementRecord ToRecord(CandidateMeasurement m) => new()
    {
        Gpu = ToRecord(m.Gpu),
        DriverVersion = m.DriverVersion,
        Problem = m.Problem.CanonicalText,
        Plugin = new PluginKeyRecord { Backend = m.Plugin.Backend, Version = m.Plugin.Version, KernelSourceHash = m.Plugin.KernelSourceHash },
        Status = StatusNames.Single(s => s.Outcome == m.Outcome).Name,
        Detail = m.Detail,
        CorrectnessError = m.CorrectnessError,
        WeightBytes = m.WeightBytes,
        WorkspaceBytes = m.WorkspaceBytes,
        Buckets = m.Buckets.Select(b => new BucketRecord { Tokens = b.Tokens, Repetitions = b.Repetitions, SamplesMicroseconds = b.SamplesMicroseconds }).ToArray(),
        MeasuredAt = m.MeasuredAt,
        ToolVersion = m.ToolVersion,
    };

    public static CandidateMeasurement ToMeasurement(MeasurementRecord r, string where)
    {
        var status = StatusNames.Where(s => s.Name == r.Status).Select(s => (CandidateOutcome?)s.Outcome).FirstOrDefault()
            ?? throw Invalid($"{where}.status", $"'{r.Status}' is not a status ({string.Join(", ", StatusNames.Select(s => s.Name))})");
        var measurement = new CandidateMeasurement
        {
            Gpu = ToGpuClass(r.Gpu, $"{where}.gpu"),
            DriverVersion = r.DriverVersion,
            Problem = At($"{where}.problem", () => MoeShape.ParseCanonical(r.Problem)),
            Plugin = ToPluginKey(r.Plugin, $"{where}.plugin"),
            Outcome = status,
            Detail = r.Detail,
            CorrectnessError = r.CorrectnessError,
            WeightBytes = r.WeightBytes,
            WorkspaceBytes = r.WorkspaceBytes,
            Buckets = Each(r.Buckets, $"{where}.buckets", (b, at) => At(at, () => new BucketTiming(b.Tokens, b.Repetitions, b.SamplesMicroseconds))),
            MeasuredAt = r.MeasuredAt,
            ToolVersion = r.ToolVersion,
        };
        return measurement.FirstError() is { } error ? throw Invalid(where, error) : measurement;
    }

    public static DecisionRecord ToRecord(TuningDecision d) => new()
    {
        Gpu = ToRecord(d.Gpu),
        Problem = d.Problem.CanonicalText,
        Objective = d.Objective.ToName(),
        Plan = ToRecord(d.Plan),
        Cost = d.Cost,
        RunnerUp = d.RunnerUp is null ? null : ToRecord(d.RunnerUp),
        MarginOverRunnerUp = d.MarginOverRunnerUp,
        Plugins = d.Plugins.Select(p => new PluginKeyRecord { Backend = p.Backend, Version = p.Version, KernelSourceHash = p.KernelSourceHash }).ToArray(),
        Provenance = new ProvenanceRecord
        {
            At = d.Provenance.At,
            ToolVersion = d.Provenance.ToolVersion,
            GpuName = d.Provenance.GpuName,
            DriverVersion = d.Provenance.DriverVersion,
            HostHash = d.Provenance.HostHash,
        },
    };

    public static TuningDecision ToDecision(DecisionRecord r, string where)
    {
        var objective = TuningObjectives.TryParse(r.Objective, out var o)
            ? o
            : throw Invalid($"{where}.objective", $"'{r.Objective}' is not an objective ({string.Join(", ", TuningObjectives.All.Select(x => x.ToName()))})");
        var p = r.Provenance;
        Require(p.HostHash is null || (p.HostHash.Length <= 64 && p.HostHash.All(char.IsAsciiHexDigitLower)), $"{where}.provenance.hostHash", "must be lower-case hex (a hash, never a host name)");
        var decision = new TuningDecision
        {
            Gpu = ToGpuClass(r.Gpu, $"{where}.gpu"),
            Problem = At($"{where}.problem", () => MoeShape.ParseCanonical(r.Problem)),
            Objective = objective,
            Plan = ToPlan(r.Plan, $"{where}.plan"),
            Cost = r.Cost,
            RunnerUp = r.RunnerUp is null ? null : ToPlan(r.RunnerUp, $"{where}.runnerUp"),
            MarginOverRunnerUp = r.MarginOverRunnerUp,
            Plugins = Each(r.Plugins, $"{where}.plugins", ToPluginKey),
            Provenance = new Provenance(p.At, p.ToolVersion, p.GpuName, p.DriverVersion, p.HostHash),
        };
        return decision.FirstError() is { } error ? throw Invalid(where, error) : decision;
    }

    public static ProblemRecord ToRecord(MoeShape shape, IReadOnlyList<string> labels) => new() { Shape = shape.CanonicalText, Labels = labels };

    public static (MoeShape Shape, IReadOnlyList<string> Labels) ToProblem(ProblemRecord r, string where)
    {
        var shape = At($"{where}.shape", () => MoeShape.ParseCanonical(r.Shape));
        for (var i = 0; i < r.Labels.Count; i++)
        {
            if (ProblemLabels.Check(r.Labels[i]) is { } error)
            {
                throw Invalid($"{where}.labels[{i}]", error);
            }
        }

        return (shape, r.Labels);
    }

    public static TuningStoreException Invalid(string where, string message) => new($"{where}: {message}");

    /// <summary>
    /// Maps every item of a record list, <c>where[i]</c> naming each; a null item (JSON null inside a list, which the
    /// nullable annotations do not catch) is refused by its index.
    /// </summary>
    public static T[] Each<TRecord, T>(IReadOnlyList<TRecord?> items, string where, Func<TRecord, string, T> map)
        where TRecord : class =>
        items.Select((item, i) => item is null
            ? throw Invalid(string.Create(CultureInfo.InvariantCulture, $"{where}[{i}]"), "is null")
            : map(item, string.Create(CultureInfo.InvariantCulture, $"{where}[{i}]"))).ToArray();

    private static PluginKey ToPluginKey(PluginKeyRecord r, string where)
    {
        if (BackendNames.Check(r.Backend) is { } error)
        {
            throw Invalid($"{where}.backend", error);
        }

        Require(!string.IsNullOrWhiteSpace(r.Version), $"{where}.version", "is empty");
        Require(!string.IsNullOrWhiteSpace(r.KernelSourceHash), $"{where}.kernelSourceHash", "is empty");
        return new PluginKey(r.Backend, r.Version, r.KernelSourceHash);
    }

    private static PlanStepRecord[] ToRecord(Plan plan) =>
        plan.Steps.Select(s => new PlanStepRecord { UpToTokens = s.UpToTokens, Backend = s.Backend }).ToArray();

    private static Plan ToPlan(IReadOnlyList<PlanStepRecord> steps, string where)
    {
        var checkedSteps = Each(steps, where, (step, at) => BackendNames.Check(step.Backend) is { } error
            ? throw Invalid($"{at}.backend", error)
            : new PlanStep(step.UpToTokens, step.Backend));
        return At(where, () => new Plan(checkedSteps));
    }

    private static void Require(bool condition, string where, string message)
    {
        if (!condition)
        {
            throw Invalid(where, message);
        }
    }

    /// <summary>Builds a value whose constructor validates, naming <paramref name="where"/> in its complaint.</summary>
    private static T At<T>(string where, Func<T> make)
    {
        try
        {
            return make();
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new TuningStoreException(string.Create(CultureInfo.InvariantCulture, $"{where}: {e.Message}"), e);
        }
    }
}
