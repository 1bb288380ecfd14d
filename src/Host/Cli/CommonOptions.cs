using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using MoeTune.Abstractions.Problems;
using MoeTune.Tuning;

namespace MoeTune.Host.Cli;

/// <summary>Options several commands share, built fresh for each command (an option belongs to one command).</summary>
internal static class CommonOptions
{
    /// <summary><c>--verbose</c>, on the root and inherited by every command.</summary>
    public static Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Log at debug level (plugin loading, each candidate's measurement).",
        Recursive = true,
    };

    public static Option<string> Model(bool required = true) => new("--model", "-m")
    {
        Description = "A preset name (see 'moetune presets') or a Hugging Face config.json (or the folder holding it).",
        Required = required,
    };

    public static Option<WeightFormat?> Format() => new("--format", "-f")
    {
        Description = "Weight format: bf16, fp8, nvfp4 or mxfp4 (default: the preset's or the checkpoint's own).",
        HelpName = "bf16|fp8|nvfp4|mxfp4",
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (WeightFormats.TryParse(text, out var format))
            {
                return format;
            }

            result.AddError($"unknown weight format '{text}'; valid: {string.Join(", ", WeightFormats.All.Select(f => f.ToName()))}");
            return null;
        },
    };

    public static Option<string> Backend() => new("--backend", "-b")
    {
        Description = "Force a backend by name or alias, in any case (for example marlin, FLASHINFER_CUTLASS, reference); 'auto' for no override. Beats MOETUNE_BACKEND_<FORMAT> and MOETUNE_BACKEND.",
    };

    public static Option<string> Device() => new("--device", "-d")
    {
        Description = "auto (the first GPU, else the CPU; the CPU when a CPU backend is forced), cpu, or cuda:N.",
        DefaultValueFactory = _ => "auto",
    };

    public static Option<TuningObjective> Objective() => new("--objective")
    {
        Description = "What the autotuner optimises: latency (decode-weighted), throughput (large batches) or memory (least device memory within 10% of the fastest).",
        HelpName = "latency|throughput|memory",
        DefaultValueFactory = _ => TuningObjective.Latency,
        CustomParser = result => ParseObjective(result) ?? default,
    };

    /// <summary>An objective named in any case, or null with an error listing the valid names.</summary>
    public static TuningObjective? ParseObjective(ArgumentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = result.Tokens.Single().Value;
        if (TuningObjectives.TryParse(text, out var objective))
        {
            return objective;
        }

        result.AddError($"unknown objective '{text}'; valid: {string.Join(", ", TuningObjectives.All.Select(o => o.ToName()))}");
        return null;
    }

    public static Option<bool> NoTune() => new("--no-tune")
    {
        Description = "Never autotune: without an override or a valid stored decision, take the built-in priority order.",
    };

    /// <summary>A comma-separated list of token buckets, for example "1,16,256".</summary>
    public static Option<IReadOnlyList<int>?> Buckets(string description) => new("--tokens", "-t")
    {
        Description = description,
        CustomParser = result =>
        {
            var buckets = new List<int>();
            foreach (var part in result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
            {
                if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var tokens) || !TokenBuckets.IsBucket(tokens))
                {
                    result.AddError($"'{part}' is not a token bucket; buckets are powers of two from {TokenBuckets.Smallest} to {TokenBuckets.Largest}");
                    return null;
                }

                buckets.Add(tokens);
            }

            return buckets.Distinct().Order().ToList();
        },
    };
}
