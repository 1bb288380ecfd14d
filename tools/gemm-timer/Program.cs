using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;
using MoeTune.Cuda.Ceilings;
using MoeTune.Cuda.Ceilings.CublasLt;
using MoeTune.Cuda.Compilation;
using MoeTune.Cuda.Driver;
using MoeTune.Models;
using MoeTune.Plugins.FlashInferCutlass.Kernels;
using MoeTune.Plugins.FlashInferCutlass.Runtime;
using MoeTune.Plugins.FlashInferCutlass.Support;
using MoeTune.Reference.Synthetic;
using MoeTune.Tools.GemmTimer;

// gemm-timer: FlashInferCutlass's timing harness. For each preset, weight format and token count it prepares one layer
// and, for each grouped GEMM pipeline on those same weights, times the whole forward (route, gather, GEMM1, GEMM2,
// combine) as CUDA-graph replays with events around each over two rotated input sets, times each stage of an eager
// forward, and checks sampled output rows against the float64 CPU reference. Every time is set against the ceilings
// measured in the same run: the dense bf16 matrix rate cuBLASLt reaches and the read bandwidth (the floor of a forward
// is the larger of its useful FLOPs over the first and its weight bytes over the second). Small problems run first
// (--smoke), so a pipeline that hangs or computes wrong is named before the long runs.
TimerOptions options;
try
{
    options = TimerOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

if (!CudaRuntime.TryGetDevices(out var devices, out var reason))
{
    Console.Error.WriteLine($"gemm-timer needs a GPU: {reason}");
    return 2;
}

const int DenseSize = 8192;
const long ReadSweepBytes = 2L << 30;
const int WeightSeed = 20261127;
const int StageRepeats = 5;
var clock = Stopwatch.StartNew();
Watchdog.Limit = TimeSpan.FromSeconds(options.HangSeconds);
var device = devices[0];
using var context = device.RetainPrimaryContext();
context.MakeCurrent();
var compiler = KernelCompiler.CreateDefault();
using var stream = CudaStream.Create(context);
using var timer = new ReplayTimer(context, stream);
var deviceInfo = device.ToDeviceInfo();
Console.WriteLine($"gemm-timer (FlashInferCutlass) on {deviceInfo}; pipelines: {string.Join(", ", options.Pipelines)}");

// Every GEMM build this run loads, compiled in parallel (NVRTC is thread-safe); the layers then load them from the cache.
var builds = (from format in options.Formats
              from pipeline in options.Pipelines
              from variant in new[] { GemmVariant.FirstGemm(Activation.SwiGlu, format, pipeline), GemmVariant.FirstGemm(Activation.ReluSquared, format, pipeline), GemmVariant.SecondGemm(format, pipeline) }
              select FlashInferCutlassKernels.Gemm(variant)).DistinctBy(b => b.Name).ToList();
Parallel.ForEach(builds, build => compiler.Compile(build, deviceInfo));
Console.WriteLine($"compiled {builds.Count} grouped GEMM builds in {clock.Elapsed.TotalSeconds:F0} s");

var smokePassed = SmokeCheck.Run(context, stream, compiler, deviceInfo, options);
if (options.SmokeOnly)
{
    return smokePassed ? 0 : 1;
}

var (denseTflops, readBytesPerSecond) = MeasureCeilings();
Console.WriteLine();
Console.WriteLine(denseTflops is { } rate ? $"dense bf16 GEMM {DenseSize}³ through cuBLASLt: {rate:F0} TFLOP/s (median of {options.Samples})" : "dense bf16 rate: not measured");
Console.WriteLine($"read bandwidth ({ReadSweepBytes >> 30} GiB sweep): {readBytesPerSecond / 1e12:F2} TB/s");
Console.WriteLine();
Console.WriteLine("Milliseconds; 'a / b' is input set 1 / input set 2 (graph replays for the medians, eager forwards for the stages).");
Console.WriteLine();
Console.WriteLine("| preset | format | T | pipeline | median ms | min ms | median per input set | useful TFLOP/s | % of dense bf16 | floor ms | route | gather | GEMM1 | GEMM2 | combine | sampled error |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
var results = new List<CaseResult>();
foreach (var preset in options.Presets)
{
    // Both formats' layers side by side (deepseek-v3 at T = 16384: about 38 GB), so that every token count draws its
    // inputs once for both.
    var layers = new List<(ModelSpec Model, MoeWeights Weights, FlashInferCutlassLayer Layer)>();
    try
    {
        foreach (var format in options.Formats)
        {
            var model = preset.WithFormat(format);
            var support = SupportRules.Check(deviceInfo, model.Shape);
            if (!support.IsSupported)
            {
                Console.WriteLine($"| {preset.Name} | {format.ToName()} | – | unsupported: {support.Reason} |");
                continue;
            }

            var weights = DistinctDraw(model.Shape, WeightSeed);
            layers.Add((model, weights, FlashInferCutlassLayer.Create(
                weights, new PrepareContext(deviceInfo, options.Tokens.Max(), stream.Handle), compiler, NullLogger.Instance, options.Pipelines[0])));
        }

        foreach (var tokens in options.Tokens)
        {
            using var first = InputSet.Create(context, stream, preset, tokens, WeightSeed + tokens);
            using var second = InputSet.Create(context, stream, preset, tokens, WeightSeed + tokens + 3);
            foreach (var (model, weights, layer) in layers)
            {
                results.AddRange(TimeLayer(model, weights, layer, first, second));
            }
        }
    }
    finally
    {
        foreach (var entry in layers) entry.Layer.Dispose();
    }
}

Console.WriteLine();
Summarise(results);
Console.WriteLine($"gemm-timer took {clock.Elapsed.TotalSeconds:F0} s");
return smokePassed && results.All(r => r.Correct) ? 0 : 1;

// Every pipeline on one layer and one token count: graph replays over both input sets, stage times, sampled error.
List<CaseResult> TimeLayer(ModelSpec model, MoeWeights weights, FlashInferCutlassLayer layer, InputSet first, InputSet second)
{
    var (shape, tokens) = (model.Shape, first.Tokens);
    var reference = ReferenceSample.Compute(weights, first, options.CheckTokens);
    var flops = 2.0 * tokens * shape.TopK * (((double)shape.W13Rows * shape.Hidden) + ((double)shape.Hidden * shape.Intermediate));
    var floorMs = Math.Max(denseTflops is { } d ? flops / (d * 1e12) * 1e3 : 0, layer.WeightBytes / readBytesPerSecond * 1e3);
    var timed = new List<CaseResult>();
    foreach (var pipeline in options.Pipelines)
    {
        if (layer.Pipeline != pipeline) layer.UsePipeline(pipeline, weights);
        var what = $"{model.Name} {shape.Format.ToName()} T={tokens} {pipeline}";
        first.Capture(layer, stream);
        second.Capture(layer, stream);
        var samples = timer.Time([s => first.Replay.Launch(s), s => second.Replay.Launch(s)], options.Samples, what);
        IReadOnlyList<double>[] stages = [.. new[] { first, second }.Select(set => timer.TimeStages((s, after) => layer.Forward(set.Args with { Stream = s.Handle }, after), StageRepeats, what))];
        var error = reference.RelativeError(first.ForwardRows(layer, context, stream, reference.Tokens, what));
        // Samples alternate between the two input sets (one sample covers only the first).
        double[] setMedians = [.. Enumerable.Range(0, Math.Min(2, samples.Length)).Select(set => ReplayTimer.Median([.. samples.Where((_, i) => i % 2 == set)]))];
        var result = new CaseResult(model.Name, shape.Format, tokens, pipeline, ReplayTimer.Median(samples), samples.Min(), setMedians, flops, floorMs, stages, error);
        Console.WriteLine(Row(result));
        timed.Add(result);
    }

    return timed;
}

(double? DenseTflops, double ReadBytesPerSecond) MeasureCeilings()
{
    using var ceilings = CeilingModule.Load(compiler, context);
    double? dense = null;
    try
    {
        using var gemm = CublasLtGemm.Create(context, ceilings, DenseGemmPrecision.Bf16, DenseSize, stream.Handle);
        dense = gemm.Flops / (ReplayTimer.Median(timer.Time([s => gemm.Enqueue(s.Handle)], options.Samples, "cuBLASLt")) * 1e-3) / 1e12;
    }
    catch (Exception e) when (e is CublasLtException or MoeTune.Cuda.Native.CudaUnavailableException)
    {
        Console.Error.WriteLine($"dense bf16 rate not measured: {e.Message}");
    }

    using var sweep = DeviceBuffer.Allocate(context, ReadSweepBytes);
    sweep.Fill((byte)1);
    var read = ReplayTimer.Median(timer.Time([s => ceilings.Read(sweep, s.Handle)], options.Samples, "the read sweep"));
    return (dense, ReadSweepBytes / (read * 1e-3));
}

string Row(CaseResult r)
{
    var share = denseTflops is { } d ? (100 * r.Tflops / d).ToString("F0", CultureInfo.InvariantCulture) + " %" : "–";
    var verdict = r.Correct ? $"{r.Error:E1} ok" : double.IsNaN(r.Error) ? "NaN WRONG" : $"{r.Error:E1} WRONG";
    return string.Create(CultureInfo.InvariantCulture,
        $"| {r.Preset} | {r.Format.ToName()} | {r.Tokens} | {r.Pipeline} | {r.MedianMs:F3} | {r.MinMs:F3} | {string.Join(" / ", r.SetMedianMs.Select(ms => ms.ToString("F3", CultureInfo.InvariantCulture)))} | {r.Tflops:F0} | {share} | {r.FloorMs:F2} | "
        + $"{string.Join(" | ", Enumerable.Range(0, r.StageMsPerSet[0].Count).Select(stage => string.Join(" / ", r.StageMsPerSet.Select(set => set[stage].ToString("F3", CultureInfo.InvariantCulture)))))} | {verdict} |");
}

// Issue 6's targets: bf16 at >= 70 % of the dense rate, NVFP4 within 1.15 x this backend's bf16 time; best pipeline first.
void Summarise(List<CaseResult> all)
{
    Console.WriteLine("| preset | T | best bf16 pipeline | bf16 ms | % of dense bf16 | best NVFP4 pipeline | NVFP4 ms | NVFP4 / bf16 |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|");
    foreach (var group in all.Where(r => r.Correct).GroupBy(r => (r.Preset, r.Tokens)))
    {
        var bf16 = group.Where(r => r.Format == WeightFormat.Bf16).MinBy(r => r.MedianMs);
        var nvfp4 = group.Where(r => r.Format == WeightFormat.Nvfp4).MinBy(r => r.MedianMs);
        var share = bf16 is not null && denseTflops is { } d ? (100 * bf16.Tflops / d).ToString("F0", CultureInfo.InvariantCulture) + " %" : "–";
        var ratio = bf16 is not null && nvfp4 is not null ? (nvfp4.MedianMs / bf16.MedianMs).ToString("F2", CultureInfo.InvariantCulture) : "–";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {group.Key.Preset} | {group.Key.Tokens} | {bf16?.Pipeline.Name ?? "–"} | {bf16?.MedianMs:F3} | {share} | {nvfp4?.Pipeline.Name ?? "–"} | {nvfp4?.MedianMs:F3} | {ratio} |"));
    }
}

// Expert e gets the weights of expert e mod 32 of a smaller draw: the device still holds and streams every expert's
// own copy (the bytes the kernels read are unchanged), and the host generates deepseek-v3 in seconds, not minutes.
static MoeWeights DistinctDraw(MoeShape shape, int seed)
{
    const int Distinct = 32;
    var distinct = Math.Min(shape.Experts, Distinct);
    var draw = SyntheticWeights.Generate(
        new MoeShape(distinct, Math.Min(shape.TopK, distinct), shape.Hidden, shape.Intermediate, shape.Activation, shape.Format), seed);
    return new MoeWeights(shape, [.. Enumerable.Range(0, shape.Experts).Select(e => draw.Experts[e % distinct])]);
}
