using System.Globalization;
using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Weights;
using MoeTune.Cuda.Ceilings;
using MoeTune.Cuda.Compilation;
using MoeTune.Cuda.Driver;
using MoeTune.Models;
using MoeTune.Plugins.Marlin;
using MoeTune.Plugins.Marlin.Planning;
using MoeTune.Reference.Synthetic;

namespace MoeTune.Tools.KernelTimer;

/// <summary>
/// Times Marlin's Forward per preset and token count and prints each median against the NVFP4 weight-read floor:
/// the packed weights and scales of the experts the routing actually uses, over the read bandwidth measured in the
/// same run (and over DESIGN.md's nominal H100/H200 figures where the card is one of those).
/// </summary>
internal static class Program
{
    private const long BusyBytes = 1L << 30;

    public static int Main(string[] args)
    {
        TimerOptions options;
        try
        {
            options = TimerOptions.Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or UnknownModelException)
        {
            Console.Error.WriteLine($"kernel-timer: {e.Message}");
            return 2;
        }

        if (!CudaRuntime.TryGetDevices(out var devices, out var reason))
        {
            Console.Error.WriteLine($"kernel-timer: no GPU: {reason}");
            return 1;
        }

        var device = devices[0];
        using var context = device.RetainPrimaryContext();
        context.MakeCurrent();
        var compiler = KernelCompiler.CreateDefault();
        using var stream = CudaStream.Create(context);
        using var ceilings = CeilingModule.Load(compiler, context);
        using var busy = DeviceBuffer.Allocate(context, BusyBytes);
        using var timer = new ForwardTimer(context, stream, ceilings, busy);
        using var trace = options.Trace ? new DecodeTrace(context) : null;
        var variants = trace is null ? options.Variants : [.. options.Variants, trace.Variant];
        var measured = timer.ReadBandwidth();
        var nominal = NominalReadBandwidth(device.Name);
        var info = device.ToDeviceInfo();

        Line($"# Marlin kernel timings on {info}");
        Line("This is Marlin's own timing harness (tools/kernel-timer), not `moetune bench`: CUDA events around each");
        Line($"CUDA-graph replay, {options.Samples} samples per row rotating over {options.Sets} input sets (own buffers, own routing: " +
             (options.UniformRouting ? "uniform, as moetune bench --routing uniform" : "the preset's router on random logits") + "),");
        Line("replays queued back to back behind read sweeps. Floor = packed weights + scales of the experts each set uses");
        Line($"/ read bandwidth: measured here {measured / 1e12:F2} TB/s (read sweep of 1 GiB)" +
             (nominal is { } n ? $", nominal {n / 1e12:F2} TB/s (DESIGN.md)." : "."));
        Line("");
        Line("Decode kernels:");
        foreach (var variant in variants)
        {
            foreach (var line in DecodeKernelReport.Lines(compiler, context, variant))
            {
                Line(line);
            }
        }

        Line("");
        Line("| preset | T | path | median µs | p10 | p90 | experts | active MB | floor µs (measured) | × floor | floor µs (nominal) | × floor | output |");
        Line("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var model in options.Presets)
        {
            var decision = new MarlinBackend(compiler).CheckSupport(info, model.Shape);
            if (!decision.IsSupported)
            {
                Line($"| {model.Name} | | | unsupported: {decision.Reason} | | | | | | | | | |");
                continue;
            }

            var weights = SyntheticWeights.Generate(model.Shape, options.Seed);
            foreach (var pipeline in options.Pipelines)
            {
                foreach (var variant in variants)
                {
                    var backend = new MarlinBackend(compiler) { DecodePipeline = pipeline, DecodeDefines = variant.Defines, DecodeOverrides = variant.Overrides };
                    TimePreset(context, stream, timer, backend, variant, model, weights, options, measured, nominal, variant == trace?.Variant ? trace : null);
                }
            }
        }

        return 0;
    }

    private static void TimePreset(
        CudaContext context, CudaStream stream, ForwardTimer timer, MarlinBackend backend, KernelVariant variant, ModelSpec model, MoeWeights weights,
        TimerOptions options, double measured, double? nominal, DecodeTrace? trace)
    {
        var info = context.Device.ToDeviceInfo();
        var pipeline = DecodePipelineChoice.Resolve(
            backend.DecodePipeline, Environment.GetEnvironmentVariable(DecodePipelineChoice.EnvironmentVariable), info);
        using var layer = backend.Prepare(weights, new PrepareContext(info, options.Tokens.Max(), stream.Handle));
        var geometry = new LayerGeometry(model.Shape);
        foreach (var tokens in options.Tokens)
        {
            var random = new Random((options.Seed * 1_000_003) + (tokens * 7919) + model.Name.Length);
            var sets = new List<InputSet>();
            try
            {
                for (var i = 0; i < options.Sets; i++)
                {
                    sets.Add(InputSet.Create(context, stream, layer, model, weights, tokens, options.UniformRouting, random));
                }

                var samples = timer.Time(sets, options.Samples);
                var floors = samples.Select((_, i) => sets[i % sets.Count].ActiveBytes / measured * 1e6).ToArray();
                var ratios = samples.Select((s, i) => s / floors[i]).ToArray();
                var finite = sets[0].Output.Download<ushort>().All(v => (v & 0x7F80) != 0x7F80) ? "finite" : "NON-FINITE";
                var nominalFloor = nominal is { } n ? Statistics.Median(floors) * measured / n : (double?)null;
                var build = variant == KernelVariant.Plain ? "" : $", {variant.Name}";
                var path = geometry.UsesDecodePath(tokens) ? $"decode ({DecodePipelineChoice.Name(pipeline)}{build})" : "prefill";
                Line($"| {model.Name} | {tokens} | {path} " +
                     $"| {Statistics.Median(samples):F1} | {Statistics.Quantile(samples, 0.1):F1} | {Statistics.Quantile(samples, 0.9):F1} " +
                     $"| {sets.Average(s => s.ActiveExperts):F1} | {sets.Average(s => s.ActiveBytes) / 1e6:F1} " +
                     $"| {Statistics.Median(floors):F1} | {Statistics.Median(ratios):F2} " +
                     $"| {(nominalFloor is { } f ? f.ToString("F1", CultureInfo.InvariantCulture) : "-")} " +
                     $"| {(nominalFloor is { } g ? (Statistics.Median(samples) / g).ToString("F2", CultureInfo.InvariantCulture) : "-")} | {finite} |");
                if (trace is not null && geometry.UsesDecodePath(tokens))
                {
                    foreach (var line in trace.Record(stream, sets[0]))
                    {
                        Line(line);
                    }
                }
            }
            finally
            {
                foreach (var set in sets)
                {
                    set.Dispose();
                }
            }
        }
    }

    /// <summary>DESIGN.md's measured read ceilings for the lent cards (bytes per second), or null for other cards.</summary>
    private static double? NominalReadBandwidth(string deviceName) =>
        deviceName.Contains("H200", StringComparison.OrdinalIgnoreCase) ? 4.25e12
        : deviceName.Contains("H100", StringComparison.OrdinalIgnoreCase) ? 3.0e12
        : null;

    private static void Line(string text) => Console.Out.WriteLine(text);
}
