namespace MoeTune.Tuning;

/// <summary>One pilot sample: <see cref="Repetitions"/> calls timed together.</summary>
public readonly record struct PilotSample(int Repetitions, double ElapsedMicroseconds);

/// <summary>The pilot's answer: sample again with <see cref="Repetitions"/> calls, or settle on that many, and why.</summary>
public sealed record PilotDecision(bool IsSettled, int Repetitions, string Reason)
{
    public static PilotDecision TryWith(int repetitions, string reason) => new(false, repetitions, reason);

    public static PilotDecision Settle(int repetitions, string reason) => new(true, repetitions, reason);
}
