namespace MoeTune.TuningDb.Exchange;

// The JSON shapes of stored records: the export file holds them, and the database stores the same shapes (as BSON)
// inside its envelopes, so one set of validation rules covers both. Changing a shape is a schema change
// (TuningSchema.Version) and needs a migration.

internal sealed class GpuClassRecord
{
    /// <summary>"cuda" or "cpu".</summary>
    public required string Kind { get; init; }

    public required string Name { get; init; }

    public required int SmMajor { get; init; }

    public required int SmMinor { get; init; }

    public required int SmCount { get; init; }

    public required long MemoryBytes { get; init; }
}

internal sealed class PluginKeyRecord
{
    public required string Backend { get; init; }

    public required string Version { get; init; }

    public required string KernelSourceHash { get; init; }
}

internal sealed class BucketRecord
{
    public required int Tokens { get; init; }

    public required int Repetitions { get; init; }

    public required IReadOnlyList<double> SamplesMicroseconds { get; init; }
}

internal sealed class MeasurementRecord
{
    public required GpuClassRecord Gpu { get; init; }

    public required string DriverVersion { get; init; }

    /// <summary>The problem's canonical shape text.</summary>
    public required string Problem { get; init; }

    public required PluginKeyRecord Plugin { get; init; }

    /// <summary>"ok", "failed", "unsupported" or "incorrect".</summary>
    public required string Status { get; init; }

    public string Detail { get; init; } = "";

    public double? CorrectnessError { get; init; }

    public required long WeightBytes { get; init; }

    public required long WorkspaceBytes { get; init; }

    public required IReadOnlyList<BucketRecord> Buckets { get; init; }

    public required DateTimeOffset MeasuredAt { get; init; }

    public required string ToolVersion { get; init; }
}

internal sealed class PlanStepRecord
{
    public required int UpToTokens { get; init; }

    public required string Backend { get; init; }
}

internal sealed class ProvenanceRecord
{
    public required DateTimeOffset At { get; init; }

    public required string ToolVersion { get; init; }

    public required string GpuName { get; init; }

    public required string DriverVersion { get; init; }

    public string? HostHash { get; init; }
}

internal sealed class DecisionRecord
{
    public required GpuClassRecord Gpu { get; init; }

    public required string Problem { get; init; }

    /// <summary>"latency", "throughput" or "memory".</summary>
    public required string Objective { get; init; }

    public required IReadOnlyList<PlanStepRecord> Plan { get; init; }

    public required double Cost { get; init; }

    public IReadOnlyList<PlanStepRecord>? RunnerUp { get; init; }

    public double? MarginOverRunnerUp { get; init; }

    public required IReadOnlyList<PluginKeyRecord> Plugins { get; init; }

    public required ProvenanceRecord Provenance { get; init; }
}

internal sealed class ProblemRecord
{
    /// <summary>The canonical shape text.</summary>
    public required string Shape { get; init; }

    public required IReadOnlyList<string> Labels { get; init; }
}

/// <summary>The export file: a schema version, who exported it and when, and the records.</summary>
internal sealed class ExportFile
{
    public required int SchemaVersion { get; init; }

    public required DateTimeOffset ExportedAt { get; init; }

    public required string ToolVersion { get; init; }

    public required IReadOnlyList<ProblemRecord> Problems { get; init; }

    public required IReadOnlyList<MeasurementRecord> Measurements { get; init; }

    public required IReadOnlyList<DecisionRecord> Decisions { get; init; }
}
