using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using MoeTune.Tuning;

namespace MoeTune.Engine.Bench.Ceilings;

/// <summary>
/// The CPU's stand-ins for the GPU ceilings, so that bench runs end to end on the Reference backend (CI): a parallel
/// SIMD sum over an array far larger than the caches, a single-threaded copy, and a float32 matrix product built from
/// SIMD row updates. The inner loops are TensorPrimitives (the runtime's own vectorised code), so the figures do not
/// depend on how this assembly was compiled. Every method label says "CPU": these are loose limits for the float64
/// Reference oracle, not a CPU roofline study.
/// </summary>
internal sealed class CpuCeilingProbe(MeasurementRunner runner, Func<TimeSpan> nextBudget)
{
    /// <summary>The read sweep's array: 256 MiB, several times any desktop or server L3.</summary>
    public const long SweepBytes = 256L << 20;

    /// <summary>The matrix product's size: 2·512³ = 268 MFLOP per call.</summary>
    public const int MatrixSize = 512;

    private float _sink;

    public IReadOnlyList<Ceiling> Measure()
    {
        var words = new float[SweepBytes / sizeof(float)];
        Array.Fill(words, 1.5f);
        var copy = new byte[SweepBytes / 2];
        var matrices = Matrices(MatrixSize);
        var mib = SweepBytes >> 20;
        return
        [
            Ceiling.Measured(CeilingKind.ReadBandwidth, string.Create(CultureInfo.InvariantCulture, $"CPU: parallel SIMD sum over {mib} MiB"), SweepBytes, Time(() => Read(words))),
            Ceiling.Measured(CeilingKind.CopyBandwidth, string.Create(CultureInfo.InvariantCulture, $"CPU: one-thread copy of {mib / 2} MiB (bytes read + written)"), SweepBytes, Time(() => MemoryCopy(words, copy))),
            Ceiling.Measured(CeilingKind.Bf16MatrixRate, string.Create(CultureInfo.InvariantCulture, $"CPU: f32 matmul {MatrixSize}³ (SIMD row multiply-adds, rows in parallel); no bf16 units"), 2.0 * MatrixSize * MatrixSize * MatrixSize, Time(() => Multiply(matrices))),
            Ceiling.Missing(CeilingKind.Fp8MatrixRate, "CPU", "the CPU has no FP8 arithmetic; FP8 floors use the f32 rate"),
        ];
    }

    private TimingSummary Time(Action work) => TimingSummary.From(runner.Run(
        repetitions =>
        {
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < repetitions; i++)
            {
                work();
            }

            return Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        },
        nextBudget()));

    private void Read(float[] words)
    {
        var chunks = Environment.ProcessorCount * 4;
        var chunk = (words.Length + chunks - 1) / chunks;
        var partial = new float[chunks];
        Parallel.For(0, chunks, c =>
        {
            var start = c * chunk;
            partial[c] = TensorPrimitives.Sum(words.AsSpan(start, Math.Min(chunk, words.Length - start)));
        });

        // Kept so that the loads are not dead code.
        _sink += TensorPrimitives.Sum(partial);
    }

    private static void MemoryCopy(float[] source, byte[] destination) =>
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(source.AsSpan())[..destination.Length].CopyTo(destination);

    private static (float[] A, float[] B, float[] C) Matrices(int n)
    {
        var random = new Random(1);
        var a = new float[n * n];
        var b = new float[n * n];
        for (var i = 0; i < a.Length; i++)
        {
            a[i] = (float)(random.NextDouble() + 0.5);
            b[i] = (float)(random.NextDouble() + 0.5);
        }

        return (a, b, new float[n * n]);
    }

    private static void Multiply((float[] A, float[] B, float[] C) m)
    {
        var n = MatrixSize;
        Array.Clear(m.C);
        Parallel.For(0, n, i =>
        {
            var row = m.C.AsSpan(i * n, n);
            for (var k = 0; k < n; k++)
            {
                TensorPrimitives.MultiplyAdd(m.B.AsSpan(k * n, n), m.A[(i * n) + k], row, row);
            }
        });
    }
}
