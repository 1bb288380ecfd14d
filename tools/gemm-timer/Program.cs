using System.Globalization;
using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;
using MoeTune.Cuda.Ceilings;
using MoeTune.Cuda.Ceilings.CublasLt;
using MoeTune.Cuda.Compilation;
using MoeTune.Cuda.Driver;
using MoeTune.Plugins.FlashInferCutlass;
using MoeTune.Reference.Synthetic;
using MoeTune.Tools.GemmTimer;

// gemm-timer: FlashInferCutlass's interim timing harness (until `moetune bench` exists). Times the whole forward
// (route, gather, GEMM1, GEMM2, combine) as CUDA-graph replays with events around each, over two rotated input
// sets, and prints each time against the dense bf16 matrix rate cuBLASLt reaches on this GPU in the same run.
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
const int WeightSeed = 20261127;
var device = devices[0];
using var context = device.RetainPrimaryContext();
context.MakeCurrent();
var compiler = KernelCompiler.CreateDefault();
using var stream = CudaStream.Create(context);
using var timer = new ReplayTimer(context, stream);
var deviceInfo = device.ToDeviceInfo();

double? denseTflops = null;
try
{
    using var fills = CeilingModule.Load(compiler, context);
    using var dense = CublasLtGemm.Create(context, fills, DenseGemmPrecision.Bf16, DenseSize, stream.Handle);
    denseTflops = dense.Flops / (ReplayTimer.Median(timer.Time([s => dense.Enqueue(s.Handle)], options.Samples)) * 1e-3) / 1e12;
}
catch (Exception e) when (e is CublasLtException or MoeTune.Cuda.Native.CudaUnavailableException)
{
    Console.Error.WriteLine($"dense bf16 rate not measured: {e.Message}");
}

Console.WriteLine($"gemm-timer (FlashInferCutlass interim harness) on {deviceInfo}");
Console.WriteLine(denseTflops is { } rate
    ? $"dense bf16 GEMM {DenseSize}³ through cuBLASLt: {rate:F0} TFLOP/s (median of {options.Samples})"
    : "dense bf16 rate: not measured");
Console.WriteLine();
Console.WriteLine("| preset | format | T | median ms | min ms | useful TFLOP/s | % of dense bf16 | weights GiB |");
Console.WriteLine("|---|---|---|---|---|---|---|---|");
var backend = new FlashInferCutlassBackend(compiler);
foreach (var preset in options.Presets)
{
    foreach (var format in options.Formats)
    {
        var model = preset.WithFormat(format);
        var support = backend.CheckSupport(deviceInfo, model.Shape);
        if (!support.IsSupported)
        {
            Console.WriteLine($"| {preset.Name} | {format.ToName()} | – | unsupported: {support.Reason} | | | | |");
            continue;
        }

        var weights = DistinctDraw(model.Shape, WeightSeed);
        using var layer = backend.Prepare(weights, new PrepareContext(deviceInfo, options.Tokens.Max(), stream.Handle));
        var random = new Random(WeightSeed);
        foreach (var tokens in options.Tokens)
        {
            using var first = InputSet.Create(context, stream, layer, model, tokens, random);
            using var second = InputSet.Create(context, stream, layer, model, tokens, random);
            var samples = timer.Time([s => first.Replay.Launch(s), s => second.Replay.Launch(s)], options.Samples);
            var median = ReplayTimer.Median(samples);
            var shape = model.Shape;
            var flops = 2.0 * tokens * shape.TopK * (((double)shape.W13Rows * shape.Hidden) + ((double)shape.Hidden * shape.Intermediate));
            var tflops = flops / (median * 1e-3) / 1e12;
            var share = denseTflops is { } d ? (100 * tflops / d).ToString("F0", CultureInfo.InvariantCulture) + " %" : "–";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {preset.Name} | {format.ToName()} | {tokens} | {median:F3} | {samples.Min():F3} | {tflops:F0} | {share} | {layer.WeightBytes / (double)(1L << 30):F1} |"));
        }
    }
}

return 0;

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
