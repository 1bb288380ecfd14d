namespace MoeTune.TuningDb;

/// <summary>What an import did: records taken (new, or newer than the local copy) and records skipped because the local copy is as new or newer.</summary>
public sealed record ImportSummary(int Problems, int Measurements, int Decisions, int SkippedAsOlder)
{
    public override string ToString() =>
        $"{Problems} problem(s), {Measurements} measurement(s), {Decisions} decision(s) imported; {SkippedAsOlder} older than the local copy skipped";
}
