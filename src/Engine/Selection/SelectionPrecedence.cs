using MoeTune.Abstractions.Problems;
using MoeTune.Engine.Backends;
using MoeTune.Tuning;
using MoeTune.TuningDb;

namespace MoeTune.Engine.Selection;

/// <summary>
/// DESIGN.md's order of precedence as a pure function: a forced name (command line, then
/// <c>MOETUNE_BACKEND_&lt;FORMAT&gt;</c>, then <c>MOETUNE_BACKEND</c>; "auto" means no override at that level), then the
/// stored decision if still valid, then an autotune, then the built-in priority order where tuning is off. A forced
/// name that is unknown or cannot run here is an error, never a fallback to the next level.
/// </summary>
public static class SelectionPrecedence
{
    public static SelectionOutcome Decide(SelectionInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var notes = new List<string>();

        var forced = Forced(inputs.CommandLineBackend, inputs.Environment, inputs.Format);
        if (forced is { } force)
        {
            return DecideForced(inputs, force.Name, force.Source, Describe(force.Source, inputs), notes);
        }

        if (inputs.Stored is { } stored)
        {
            var invalid = WhyInvalid(stored, inputs.Candidates);
            if (invalid is null)
            {
                if (stored.StaleReason is { } staleness)
                {
                    notes.Add($"the stored decision is stale ({staleness}); using it anyway, run 'moetune tune --force' to re-measure");
                }

                return new SelectionOutcome.Chosen(stored.Decision.Plan, SelectionSource.StoredDecision, notes);
            }

            notes.Add($"the stored decision ({stored.Decision.Plan}) is no longer valid: {invalid}");
        }

        var supported = inputs.Candidates.Where(c => c.Support.IsSupported).ToList();
        if (supported.Count == 0)
        {
            var reasons = inputs.Candidates.Select(c => $"{c.Name}: {c.Support.Reason}");
            return new SelectionOutcome.Rejected(
                SelectionErrorKind.NoSupportedBackend,
                $"no backend can run this problem here ({string.Join("; ", reasons)})",
                notes);
        }

        return inputs.TuningEnabled
            ? new SelectionOutcome.Tune(notes)
            : new SelectionOutcome.Chosen(Plan.OneBackend(supported[0].Name), SelectionSource.PriorityOrder, notes);
    }

    /// <summary>The text that names a source in messages, for example "MOETUNE_BACKEND_NVFP4".</summary>
    public static string Describe(SelectionSource source, SelectionInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return source switch
        {
            SelectionSource.CommandLine => "--backend",
            SelectionSource.FormatEnvironment => EnvironmentVariables.BackendFor(inputs.Format),
            SelectionSource.Environment => EnvironmentVariables.Backend,
            SelectionSource.StoredDecision => "stored decision",
            SelectionSource.Autotune => "autotune",
            SelectionSource.PriorityOrder => "built-in priority order (tuning off)",
            _ => throw new ArgumentOutOfRangeException(nameof(source), source, "unknown selection source"),
        };
    }

    /// <summary>
    /// The forced name and its level: the command line, then <c>MOETUNE_BACKEND_&lt;FORMAT&gt;</c>, then
    /// <c>MOETUNE_BACKEND</c>, skipping levels that are unset, blank or "auto"; null where nothing is forced.
    /// </summary>
    public static (string Name, SelectionSource Source)? Forced(string? commandLine, EnvironmentSnapshot environment, WeightFormat format)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var levels = new[]
        {
            (Value: commandLine, Source: SelectionSource.CommandLine),
            (Value: environment.Get(EnvironmentVariables.BackendFor(format)), Source: SelectionSource.FormatEnvironment),
            (Value: environment.Get(EnvironmentVariables.Backend), Source: SelectionSource.Environment),
        };
        foreach (var (value, source) in levels)
        {
            var name = value?.Trim();
            if (!string.IsNullOrEmpty(name) && !string.Equals(name, BackendRegistry.Auto, StringComparison.OrdinalIgnoreCase))
            {
                return (name, source);
            }
        }

        return null;
    }

    private static SelectionOutcome DecideForced(SelectionInputs inputs, string name, SelectionSource source, string origin, List<string> notes)
    {
        var candidate = inputs.Candidates.FirstOrDefault(c => c.Answers(name));
        if (candidate is null)
        {
            var valid = inputs.Candidates.SelectMany(c => new[] { c.Name }.Concat(c.Aliases)).Distinct(StringComparer.Ordinal).Append(BackendRegistry.Auto);
            return new SelectionOutcome.Rejected(
                SelectionErrorKind.UnknownBackend,
                $"unknown backend '{name}' (from {origin}); valid names (any case): {string.Join(", ", valid)}",
                notes);
        }

        if (!candidate.Support.IsSupported)
        {
            return new SelectionOutcome.Rejected(
                SelectionErrorKind.Unsupported,
                $"backend {candidate.Name} (from {origin}) cannot run this problem here: {candidate.Support.Reason}",
                notes);
        }

        return new SelectionOutcome.Chosen(Plan.OneBackend(candidate.Name), source, notes);
    }

    /// <summary>
    /// Null where the stored decision can be used here, else why not: the store's own verdict (a backend of the plan
    /// changed version or kernels, or is gone), then whether each backend of the plan is registered and supports
    /// this problem on this device (which only the host knows).
    /// </summary>
    private static string? WhyInvalid(StoredDecision stored, IReadOnlyList<SelectionCandidate> candidates)
    {
        if (stored.InvalidReason is { } invalid)
        {
            return invalid;
        }

        foreach (var name in stored.Decision.Plan.Backends)
        {
            var candidate = candidates.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));
            if (candidate is null)
            {
                return $"{name} is not loaded";
            }

            if (!candidate.Support.IsSupported)
            {
                return $"{name} no longer supports it ({candidate.Support.Reason})";
            }
        }

        return null;
    }
}
