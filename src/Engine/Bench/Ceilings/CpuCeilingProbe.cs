using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using MoeTune.Tuning;

namespace MoeTune.Engine.Bench.Ceilings;

/// <summary>
/// The CPU's stand-ins for the GPU ceilings, so that bench runs end to end on the Reference backend (CI): a parallel
/// vector read over an array far larger than the caches, a single-threaded copy, and a naive float32 matrix product.
/// Every method label says "CPU": these are loose limits for the float64 Reference oracle, not a CPU roofline study.
/// </summary>
internal sealed class CpuCeilingProbe(MeasurementRunner runner, Func<TimeSpan> nextBudget)
{
    /// <summary>The read sweep's array: 256 MiB, several times any desktop or server L3.</summary>
    public const long SweepBytes = 256L << 20;

    /// <summary>The naive matrix product's size: 2·256³ = 34 MFLOP per call.</summary>
    public const int MatrixSize = 256;

    private long _sink;

    public IReadOnlyList<Ceiling> Measure()
    {
        var words = new long[SweepBytes / sizeof(long)];
        Array.Fill(words, unchecked((long)0x9E3779B97F4A7C15UL));
        var copy = new byte[SweepBytes / 2];
        var matrices = Matrices(MatrixSize);
        var mib = SweepBytes >> 20;
        return
        [
            Ceiling.Measured(CeilingKind.ReadBandwidth, string.Create(CultureInfo.InvariantCulture, $"CPU: parallel Vector<long> sum over {mib} MiB"), SweepBytes, Time(() => Read(words))),
            Ceiling.Measured(CeilingKind.CopyBandwidth, string.Create(CultureInfo.InvariantCulture, $"CPU: one-thread copy of {mib / 2} MiB (bytes read + written)"), SweepBytes, Time(() => MemoryCopy(words, copy))),
            Ceiling.Measured(CeilingKind.Bf16MatrixRate, string.Create(CultureInfo.InvariantCulture, $"CPU: naive f32 matmul {MatrixSize}³ (scalar i-k-j loops, rows in parallel); no bf16 units"), 2.0 * MatrixSize * MatrixSize * MatrixSize, Time(() => Multiply(matrices))),
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

    private void Read(long[] words)
    {
        var chunks = Environment.ProcessorCount * 4;
        var chunk = (words.Length / chunks) / Vector<long>.Count * Vector<long>.Count;
        long total = 0;
        Parallel.For(0, chunks, () => Vector<long>.Zero, (c, _, acc) =>
        {
            var end = c == chunks - 1 ? words.Length : (c + 1) * chunk;
            var i = c * chunk;
            for (; i + Vector<long>.Count <= end; i += Vector<long>.Count)
            {
                acc += new Vector<long>(words, i);
            }

            for (; i < end; i++)
            {
                acc += new Vector<long>(words[i]);
            }

            return acc;
        }, acc => Interlocked.Add(ref total, Vector.Sum(acc)));

        // Kept so that the loads are not dead code.
        _sink ^= total;
    }

    private static void MemoryCopy(long[] source, byte[] destination) =>
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
            for (var k = 0; k < n; k++)
            {
                var aik = m.A[(i * n) + k];
                for (var j = 0; j < n; j++)
                {
                    m.C[(i * n) + j] += aik * m.B[(k * n) + j];
                }
            }
        });
    }
}
