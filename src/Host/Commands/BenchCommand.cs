using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Cuda.Compilation;
using MoeTune.Engine.Autotuning;
using MoeTune.Engine.Backends;
using MoeTune.Engine.Bench;
using MoeTune.Engine.Bench.Comparison;
using MoeTune.Engine.Bench.Output;
using MoeTune.Engine.Devices;
using MoeTune.Host.Cli;
using MoeTune.Models;
using MoeTune.Models.Presets;
using MoeTune.Reference.Synthetic;

namespace MoeTune.Host.Commands;

/// <summary>
/// <c>moetune bench</c> (issue 7): ceilings and every backend × model × T in one run, written as JSON (every sample and
/// the environment), a Markdown page and one PNG per problem, with a progress display and a short summary printed last;
/// with <c>--compare</c>, also judged point by point against an earlier run's bench.json (read before anything runs).
/// Exit codes: 0 all measured (or honestly unsupported), 1 something failed (the outputs say what), 2 a usage error.
/// </summary>
internal sealed class BenchCommand : ICliCommand
{
    /// <summary>Token counts on a GPU: decode to large prefill, log-spaced.</summary>
    public static IReadOnlyList<int> GpuTokens { get; } = [1, 4, 16, 64, 256, 1024, 4096, 16384];

    /// <summary>Token counts on the CPU: the Reference backend is a float64 oracle, slow beyond a few tokens.</summary>
    public static IReadOnlyList<int> CpuTokens { get; } = [1, 2, 4];

    /// <summary>The whole run's budget on a GPU: seven presets fit in about 8 minutes on one H100.</summary>
    public static TimeSpan GpuBudget { get; } = TimeSpan.FromSeconds(420);

    /// <summary>The whole run's budget on the CPU.</summary>
    public static TimeSpan CpuBudget { get; } = TimeSpan.FromSeconds(60);

    /// <summary>The model on the CPU when none is named: the smallest preset, whose weights the host generates in seconds.</summary>
    public const string CpuModel = "qwen3-30b-a3b";

    private readonly Option<string[]> _models = new("--model", "-m")
    {
        Description = $"Model presets ({string.Join(", ", ModelPresets.Names)}) or config.json paths; default: every preset on a GPU, {CpuModel} on the CPU",
        AllowMultipleArgumentsPerToken = true,
    };

    private readonly Option<string[]> _tokens = new("--tokens", "-t")
    {
        Description = "Token counts, powers of two up to 16384 (space or comma separated); default: 1 4 16 … 16384 on a GPU, 1 2 4 on the CPU",
        AllowMultipleArgumentsPerToken = true,
    };

    private readonly Option<string[]> _backends = new("--backends", "-b")
    {
        Description = "Backend names or aliases; default: every registered backend",
        AllowMultipleArgumentsPerToken = true,
    };

    private readonly Option<string[]> _formats = new("--format", "-f")
    {
        Description = $"Weight formats ({string.Join(", ", WeightFormats.All.Select(f => f.ToName()))}); default: each model's own",
        AllowMultipleArgumentsPerToken = true,
    };

    private readonly Option<string[]> _routings = new("--routing")
    {
        Description = $"Routing distributions: uniform, zipf (the tuner's, {TuningDefaults.Routing}) or zipf:S; default: uniform zipf",
        AllowMultipleArgumentsPerToken = true,
    };

    private readonly Option<string[]> _modes = new("--modes")
    {
        Description = "Timing modes: graph (CUDA-graph replay) and/or eager; default: both (eager only on the CPU)",
        AllowMultipleArgumentsPerToken = true,
    };

    private readonly Option<string> _out = new("--out", "-o")
    {
        Description = "Folder for bench.json, bench.md and the plots",
        DefaultValueFactory = _ => "bench-results",
    };

    private readonly Option<double?> _budget = new("--budget")
    {
        Description = "Seconds for the whole run, ceilings and weight generation included; default: 420 on a GPU, 60 on the CPU",
    };

    private readonly Option<string> _device = CommonOptions.Device();

    private readonly Option<int> _seed = new("--seed")
    {
        Description = "Seed of the synthetic weights, inputs and routing",
        DefaultValueFactory = _ => TuningDefaults.Seed,
    };

    private readonly Option<bool> _noGate = new("--no-gate")
    {
        Description = "Skip the correctness gate against the CPU reference (timings of a wrong backend are then reported too)",
    };

    private readonly Option<string?> _compare = new("--compare")
    {
        Description = "An earlier run's bench.json (or its folder): afterwards, compare every point both runs measured on the same GPU "
            + "(same problem, backend, T, routing, mode) and say which agree within noise; read and checked before anything is measured",
        HelpName = "bench.json",
    };

    private readonly Option<string?> _replot = new("--replot")
    {
        Description = "Measure nothing: redraw the plots of an earlier run from the bench.json in this folder, into the same folder "
            + "(after a change to the plots; bench.md and bench.json stay as the run wrote them). Takes no other option",
        HelpName = "folder",
    };

    public IReadOnlyList<string> Examples { get; } =
    [
        "moetune bench --model qwen3-30b-a3b --tokens 1,16,256,4096 --out bench-results",
        "moetune bench --backends marlin,flashinfercutlass --format nvfp4 --budget 120",
        "moetune bench --device cpu --model ./tiny/config.json --tokens 1,2 --backends reference",
        "moetune bench --out bench-new --compare docs/benchmarks/h100/bench.json",
        "moetune bench --replot docs/benchmarks/h100",
    ];

    public Command Build(CliContext context)
    {
        var command = new Command("bench", "Measure the GPU's ceilings and every backend × model × T against the roofline floor; write JSON, Markdown and plots.")
        {
            _models, _tokens, _backends, _formats, _routings, _modes, _out, _budget, _device, _seed, _noGate, _compare, _replot,
        };
        CommandAction.Set(command, context, parse => Run(parse, context));
        return command;
    }

    private int Run(ParseResult parse, CliContext context)
    {
        if (parse.GetValue(_replot) is { } replot)
        {
            return Replot(parse, replot, context);
        }

        using var services = context.CreateServices(parse.GetValue(CommonOptions.Verbose));
        var devices = services.GetRequiredService<DeviceCatalog>();
        var runner = new BenchRunner(
            services.GetRequiredService<BackendCatalog>(), services.GetRequiredService<KernelCompiler>(), services.GetRequiredService<TimeProvider>());
        DeviceInfo info;
        BenchRequest request;
        ComparableRun? previous;
        try
        {
            info = devices.Resolve(parse.GetValue(_device));
            request = Request(parse, info);
            runner.Validate(request);
            previous = Previous(parse.GetValue(_compare), info, context.Error);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            throw CliException.Usage(ex.Message);
        }

        var output = Path.GetFullPath(parse.GetValue(_out)!);
        Directory.CreateDirectory(output);
        Engine.Bench.Report.BenchReport report;
        using (var device = devices.Open(info))
        {
            report = BenchProgressDisplay.Run(context, progress => runner.Run(request, device, progress));
        }

        if (previous is not null)
        {
            report = report with { Comparison = BenchComparer.Compare(previous, ComparableRun.From(report), Path.GetFullPath(PreviousRunReader.FileOf(parse.GetValue(_compare)!))) };
        }

        BenchJson.Write(report, output);
        var plots = BenchPlots.Write(report, output, context.Error);
        BenchMarkdown.Write(report, output, plots);
        BenchSummary.Print(context.Output, report, output, plots.Count);
        return report.IsClean ? ExitCodes.Ok : ExitCodes.RuntimeFailure;
    }

    /// <summary>Redraws an earlier run's plots from its bench.json; measuring options alongside are a usage error, never ignored.</summary>
    private int Replot(ParseResult parse, string folder, CliContext context)
    {
        Option[] measuring = [_models, _tokens, _backends, _formats, _routings, _modes, _out, _budget, _device, _seed, _noGate, _compare];
        if (measuring.FirstOrDefault(option => parse.GetResult(option) is { Implicit: false }) is { } given)
        {
            throw CliException.Usage($"--replot measures nothing and takes no other option, got {given.Name}");
        }

        Engine.Bench.Report.BenchReport report;
        try
        {
            report = BenchJson.Read(Path.Combine(folder, BenchJson.FileName));
        }
        catch (ArgumentException ex)
        {
            throw CliException.Usage($"--replot: {ex.Message}");
        }

        var plots = BenchPlots.Write(report, folder, context.Error);
        context.Output.WriteLine($"redrew {plots.Count} plot(s) in {Path.GetFullPath(folder)} from its {BenchJson.FileName}");
        return ExitCodes.Ok;
    }

    /// <summary>
    /// The earlier run <c>--compare</c> names, read before anything is measured so that a wrong path costs no GPU time;
    /// a run on another GPU is said at once (the comparison will be refused, the run still written).
    /// </summary>
    /// <exception cref="ArgumentException">The file is missing or is not a bench.json; the message names the file and the field.</exception>
    private static ComparableRun? Previous(string? path, DeviceInfo device, TextWriter warnings)
    {
        if (path is null)
        {
            return null;
        }

        ComparableRun previous;
        try
        {
            previous = PreviousRunReader.Read(path);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"--compare: {ex.Message}", ex);
        }

        if (!string.Equals(previous.Device, device.Name, StringComparison.Ordinal))
        {
            warnings.WriteLine($"--compare: {path} was measured on {previous.Device}, this run is on {device.Name}: the comparison will be refused; the run goes on.");
        }

        return previous;
    }

    private BenchRequest Request(ParseResult parse, DeviceInfo device)
    {
        var gpu = device.Kind == DeviceKind.Cuda;
        var models = List(parse.GetValue(_models));
        var tokens = List(parse.GetValue(_tokens));
        var formats = List(parse.GetValue(_formats));
        var routings = List(parse.GetValue(_routings));
        var modes = List(parse.GetValue(_modes));
        var budget = parse.GetValue(_budget);
        if (budget is { } b && !(b > 0))
        {
            throw new ArgumentException($"--budget must be a positive number of seconds, got {b}");
        }

        return new BenchRequest
        {
            Models = models.Count > 0 ? [.. models.Select(m => ModelResolver.Resolve(m))] : gpu ? ModelPresets.All : [ModelPresets.Find(CpuModel)],
            Formats = formats.Count == 0 ? null : [.. formats.Select(WeightFormats.Parse)],
            Tokens = tokens.Count == 0 ? (gpu ? GpuTokens : CpuTokens) : [.. tokens.Select(ParseTokens)],
            Backends = List(parse.GetValue(_backends)) is { Count: > 0 } names ? names : null,
            Routings = routings.Count == 0 ? [RoutingDistribution.Uniform, TuningDefaults.Routing] : [.. routings.Select(ParseRouting)],
            Modes = modes.Count == 0 ? [TimingMode.Graph, TimingMode.Eager] : [.. modes.Select(ParseMode)],
            Budget = budget is { } seconds ? TimeSpan.FromSeconds(seconds) : gpu ? GpuBudget : CpuBudget,
            Seed = parse.GetValue(_seed),
            CorrectnessGate = !parse.GetValue(_noGate),
            CommandLine = "moetune " + string.Join(' ', parse.Tokens.Select(t => t.Value.Contains(' ', StringComparison.Ordinal) ? $"\"{t.Value}\"" : t.Value)),
        };
    }

    /// <summary>Values given as separate words, comma-separated, or both.</summary>
    private static List<string> List(string[]? values) =>
        [.. (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];

    private static int ParseTokens(string text) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var t)
        ? t
        : throw new ArgumentException($"--tokens: '{text}' is not a token count");

    private static TimingMode ParseMode(string text) => TimingModes.TryParse(text, out var mode)
        ? mode
        : throw new ArgumentException($"--modes: unknown mode '{text}'; valid: graph, eager");

    /// <summary>"uniform", "zipf" (the tuner's exponent) or "zipf:S".</summary>
    private static RoutingDistribution ParseRouting(string text)
    {
        if (string.Equals(text, "uniform", StringComparison.OrdinalIgnoreCase))
        {
            return RoutingDistribution.Uniform;
        }

        if (string.Equals(text, "zipf", StringComparison.OrdinalIgnoreCase))
        {
            return TuningDefaults.Routing;
        }

        const string prefix = "zipf:";
        if (text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
            && double.TryParse(text[prefix.Length..], NumberStyles.Float, CultureInfo.InvariantCulture, out var exponent)
            && double.IsFinite(exponent) && exponent >= 0)
        {
            return RoutingDistribution.Zipf(exponent);
        }

        throw new ArgumentException($"--routing: unknown distribution '{text}'; valid: uniform, zipf, zipf:S with S ≥ 0");
    }
}
