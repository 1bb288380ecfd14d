using System.Globalization;
using MoeTune.Cuda.Ceilings;
using MoeTune.Cuda.Ceilings.CublasLt;
using MoeTune.Cuda.Compilation;
using MoeTune.Cuda.Driver;
using MoeTune.Cuda.Native;
using MoeTune.Tuning;

namespace MoeTune.Engine.Bench.Ceilings;

/// <summary>
/// Measures a GPU's ceilings in the run that uses them (issue 7): the read bandwidth with our streaming sweep over a
/// buffer far larger than L2, the copy bandwidth with cuMemcpyDtoD over the same buffer, and the dense bf16 and FP8
/// matrix rates with cuBLASLt. Where cuBLASLt is missing or refuses a precision, <c>ownKernelRate</c> measures our own
/// best kernel instead and the ceiling says so.
/// </summary>
internal sealed class GpuCeilingProbe(KernelCompiler compiler, MeasurementRunner runner, Func<TimeSpan> nextBudget)
{
    /// <summary>The sweep's buffer: 4 GiB, 80 times H100's 50 MB L2, so no line is read from cache twice.</summary>
    public const long SweepBytes = 4L << 30;

    /// <summary>M = N = K of the GEMM ceiling: large enough that cuBLASLt runs at its peak.</summary>
    public const int GemmSize = 8192;

    /// <summary>Measures every ceiling; <paramref name="ownKernelRate"/> is asked for a matrix rate cuBLASLt could not give, with the reason.</summary>
    public IReadOnlyList<Ceiling> Measure(nint stream, Func<DenseGemmPrecision, string, Ceiling> ownKernelRate)
    {
        var context = CudaContext.Current;
        using var module = CeilingModule.Load(compiler, context);
        var ceilings = new List<Ceiling>(MemoryCeilings(context, module, stream));
        foreach (var precision in new[] { DenseGemmPrecision.Bf16, DenseGemmPrecision.Fp8 })
        {
            var kind = precision == DenseGemmPrecision.Bf16 ? CeilingKind.Bf16MatrixRate : CeilingKind.Fp8MatrixRate;
            var reason = TryCublasLt(context, module, precision, stream, kind, out var measured);
            ceilings.Add(measured ?? ownKernelRate(precision, reason!));
        }

        return ceilings;
    }

    private IEnumerable<Ceiling> MemoryCeilings(CudaContext context, CeilingModule module, nint stream)
    {
        var (free, _) = context.GetMemoryInfo();
        var bytes = Math.Min(SweepBytes, free / 4) / (32L << 20) * (32L << 20);
        if (bytes == 0)
        {
            return [Ceiling.Missing(CeilingKind.ReadBandwidth, "read sweep", $"only {free} bytes of device memory are free"),
                    Ceiling.Missing(CeilingKind.CopyBandwidth, "cuMemcpyDtoD", $"only {free} bytes of device memory are free")];
        }

        using var buffer = DeviceBuffer.Allocate(context, bytes);
        module.FillBf16(buffer.Address, bytes / sizeof(ushort), 3, stream);
        var size = Size(bytes);
        var read = Time(context, stream, s => module.Read(buffer, s));
        var half = bytes / 2;
        var copy = Time(context, stream, s => DeviceMemory.CopyAsync(buffer.Address + (nint)half, buffer.Address, half, s));
        return
        [
            Ceiling.Measured(CeilingKind.ReadBandwidth, $"moetune_ceiling_read: one pass over {size}, 16-byte loads, XOR fold", bytes, read),
            Ceiling.Measured(CeilingKind.CopyBandwidth, $"cuMemcpyDtoD of {Size(half)} (bytes read + written)", 2.0 * half, copy),
        ];
    }

    /// <summary>Null and the ceiling where cuBLASLt measured it; otherwise why not.</summary>
    private string? TryCublasLt(CudaContext context, CeilingModule module, DenseGemmPrecision precision, nint stream, CeilingKind kind, out Ceiling? measured)
    {
        measured = null;
        if (!CublasLtLibrary.TryLoad(out var reason))
        {
            return $"cuBLASLt is not installed: {reason}";
        }

        try
        {
            using var gemm = CublasLtGemm.Create(context, module, precision, GemmSize, stream);
            var timing = Time(context, stream, gemm.Enqueue);
            measured = Ceiling.Measured(
                kind,
                string.Create(CultureInfo.InvariantCulture, $"cuBLASLt {CublasLtLibrary.Version} {gemm.Description} {GemmSize}³ TN GEMM, FP32 accumulation, random operands"),
                gemm.Flops,
                timing);
            return null;
        }
        catch (Exception ex) when (ex is CublasLtException or EntryPointNotFoundException or CudaException { IsSticky: false })
        {
            // Refused (no FP8 tensor cores), out of memory, or a cuBLASLt too old for an entry point: our own kernel stands in.
            return $"cuBLASLt could not run it: {ex.Message}";
        }
    }

    private TimingSummary Time(CudaContext context, nint stream, Action<nint> enqueue)
    {
        using var timer = new EventTimer(context, stream, enqueue);
        return TimingSummary.From(runner.Run(timer.Sample, nextBudget()));
    }

    private static string Size(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.##} GiB");
}
