using System.Globalization;
using Microsoft.Extensions.Options;
using MoeTune.Tuning;

namespace MoeTune.Engine.Hosting;

/// <summary>Checks <see cref="MoeTuneOptions"/> at start, naming every option that is wrong.</summary>
public sealed class MoeTuneOptionsValidator : IValidateOptions<MoeTuneOptions>
{
    public ValidateOptionsResult Validate(string? name, MoeTuneOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var c = CultureInfo.InvariantCulture;
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Backend))
        {
            errors.Add("MoeTuneOptions.Backend must name a backend or be \"auto\"");
        }

        if (string.IsNullOrWhiteSpace(options.Device))
        {
            errors.Add("MoeTuneOptions.Device must be \"auto\", \"cpu\" or \"cuda:N\"");
        }

        if (!Enum.IsDefined(options.Objective))
        {
            errors.Add(string.Create(c, $"MoeTuneOptions.Objective {(int)options.Objective} is not an objective"));
        }

        if (options.TuneBudgetPerCandidate <= TimeSpan.Zero)
        {
            errors.Add($"MoeTuneOptions.TuneBudgetPerCandidate must be positive, got {options.TuneBudgetPerCandidate}");
        }

        if (!Enum.IsDefined(options.IsolateCandidates))
        {
            errors.Add(string.Create(c, $"MoeTuneOptions.IsolateCandidates {(int)options.IsolateCandidates} is not a candidate isolation"));
        }

        if (options.ProbeTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            errors.Add($"MoeTuneOptions.ProbeTimeout must be positive, got {timeout}");
        }

        var badBucket = options.TuneBuckets.Where(b => !TokenBuckets.IsBucket(b)).Select(b => b.ToString(c)).ToList();
        if (badBucket.Count > 0)
        {
            errors.Add($"MoeTuneOptions.TuneBuckets holds {string.Join(", ", badBucket)}: buckets are powers of two from {TokenBuckets.Smallest} to {TokenBuckets.Largest}");
        }

        if (options.MaxTokens < 1)
        {
            errors.Add(string.Create(c, $"MoeTuneOptions.MaxTokens must be at least 1, got {options.MaxTokens}"));
        }

        if (options.DatabasePath is { } path && string.IsNullOrWhiteSpace(path))
        {
            errors.Add("MoeTuneOptions.DatabasePath is blank; leave it null for the default location");
        }

        if (string.IsNullOrWhiteSpace(options.ApplicationDirectory))
        {
            errors.Add("MoeTuneOptions.ApplicationDirectory must be a folder");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
