using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MoeTune.Engine.Autotuning.Probing;

/// <summary>What one probe process did: how it ended, what it answered, and what else it printed.</summary>
/// <param name="TimedOut">It ran past its limit and was killed, with its process tree.</param>
/// <param name="ExitCode">Its exit code (meaningless where <paramref name="TimedOut"/>).</param>
/// <param name="Measurement">The measurement it reported, if any.</param>
/// <param name="Error">The error it reported instead, if any.</param>
/// <param name="Malformed">The first protocol line that could not be read, with why, if any.</param>
/// <param name="LastActivity">The step it last reported, for "crashed during …".</param>
/// <param name="Stderr">Its first lines on standard error (a runtime's crash report starts there).</param>
/// <param name="OtherOutput">Its first lines on standard output that were not protocol lines.</param>
internal sealed record ProbeRun(
    bool TimedOut,
    int ExitCode,
    JsonObject? Measurement,
    string? Error,
    string? Malformed,
    string? LastActivity,
    IReadOnlyList<string> Stderr,
    IReadOnlyList<string> OtherOutput);

/// <summary>
/// Runs one probe process under a wall-clock limit: hands it the tuner's MOETUNE_* environment, forwards its progress
/// as it comes (on the calling thread, so a progress display sees the same order as in-process), collects its answer,
/// and kills its whole process tree when the limit passes or the tune is cancelled.
/// </summary>
internal static class ProbeProcess
{
    /// <summary>Lines kept of each output for diagnostics; a crash report's first lines say what happened.</summary>
    private const int KeptLines = 20;

    /// <summary>Longest line kept.</summary>
    private const int KeptLineLength = 400;

    public static ProbeRun Run(ProcessStartInfo start, EnvironmentSnapshot environment, TimeSpan timeout, Action<string, int> progress, CancellationToken cancellationToken)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;

        // The child sees the tuner's MOETUNE_* variables (MOETUNE_PLUGINS above all), not whatever this process inherited.
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith(EnvironmentVariables.Prefix, StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(inherited);
        }

        foreach (var (name, value) in environment.Variables)
        {
            start.Environment[name] = value;
        }

        using var lines = new BlockingCollection<string?>();
        var stderr = new List<string>();
        var other = new List<string>();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => lines.Add(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(stderr, e.Data);

        var clock = Stopwatch.StartNew();
        if (!process.Start())
        {
            throw new InvalidOperationException($"{start.FileName} did not start");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var timedOut = false;
        JsonObject? measurement = null;
        string? error = null, malformed = null, activity = null;
        try
        {
            while (true)
            {
                var remaining = (int)Math.Ceiling(Math.Max(0, (timeout - clock.Elapsed).TotalMilliseconds));
                if (!lines.TryTake(out var line, remaining, cancellationToken))
                {
                    timedOut = true;
                    break;
                }

                if (line is null)
                {
                    break;
                }

                ProbeMessage? message;
                try
                {
                    message = ProbeProtocol.Parse(line);
                }
                catch (JsonException e)
                {
                    malformed ??= $"{Truncate(line)} ({e.Message})";
                    continue;
                }

                if (message is null)
                {
                    Keep(other, line);
                }
                else if (message.Progress is { } step)
                {
                    activity = step.Activity;
                    progress(step.Activity, step.StepsDone);
                }
                else
                {
                    measurement ??= message.Measurement;
                    error ??= message.Error;
                }
            }

            // Standard output closed: the process is ending, but it may still hang in its teardown.
            var left = timeout - clock.Elapsed;
            timedOut |= !timedOut && !process.WaitForExit(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            // Waits for the asynchronous readers too, so that no output event fires after this.
            process.WaitForExit();
        }

        return new ProbeRun(timedOut, process.ExitCode, measurement, error, malformed, activity, stderr, other);
    }

    private static void Keep(List<string> kept, string? line)
    {
        lock (kept)
        {
            if (line is not null && kept.Count < KeptLines && !string.IsNullOrWhiteSpace(line))
            {
                kept.Add(Truncate(line));
            }
        }
    }

    private static string Truncate(string line) => line.Length <= KeptLineLength ? line.Trim() : line[..KeptLineLength].Trim() + "…";
}
