using System.Globalization;
using System.Numerics.Tensors;
using MoeTune.Reference.Formats;
using MoeTune.Reference.Synthetic;

namespace MoeTune.Gpu.Tests.Infrastructure;

/// <summary>
/// Fresh random inputs for every run: the seed is new each time (or MOETUNE_TEST_SEED to replay one) and is written
/// to the test's output, so a failure can be reproduced. Normal draws come from MoeTune.Reference's vectorised
/// generator: the largest inputs (a [16384, 7168] hidden state) take a fraction of a second instead of seconds.
/// </summary>
public static class TestInputs
{
    public const string SeedVariable = "MOETUNE_TEST_SEED";

    /// <summary>A new seed, or the replayed one; the caller writes it to the test's output.</summary>
    public static int NewSeed() => ReplayedSeed() ?? Random.Shared.Next();

    /// <summary>A generator from a new (or the replayed) seed, written to the current test's output under <paramref name="what"/>.</summary>
    public static Random NewRandom(string what)
    {
        var seed = NewSeed();
        TestContext.Current.TestOutputHelper?.WriteLine($"{what}: seed {seed} (replay with {SeedVariable}={seed})");
        return new Random(seed);
    }

    /// <summary>Normal(0, sigma) floats.</summary>
    public static float[] Normal(Random random, int count, double sigma = 1.0)
    {
        var values = new float[count];
        DrawInChunks(random, count, sigma, (start, chunk) => chunk.CopyTo(values, start));
        return values;
    }

    /// <summary>Normal(0, sigma) values as bf16 bits.</summary>
    public static ushort[] NormalBf16(Random random, int count, double sigma = 1.0)
    {
        var bits = new ushort[count];
        DrawInChunks(random, count, sigma, (start, chunk) => Bf16.FromFloat(chunk, bits.AsSpan(start, chunk.Length)));
        return bits;
    }

    /// <summary>
    /// Draws <paramref name="count"/> values as chunks of their own seeds, in parallel, and hands each chunk with its
    /// start to <paramref name="store"/>: a [16384, 7168] hidden state is 117 M values.
    /// </summary>
    private static void DrawInChunks(Random random, int count, double sigma, Action<int, float[]> store)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        const int ChunkValues = 1 << 22;
        var seeds = Enumerable.Range(0, (count + ChunkValues - 1) / ChunkValues).Select(_ => random.Next()).ToArray();
        Parallel.For(0, seeds.Length, c =>
        {
            var start = c * ChunkValues;
            // SyntheticInputs' router logits are plain N(0, 1) floats: one row of them is a chunk.
            var chunk = SyntheticInputs.RouterLogits(tokens: 1, experts: Math.Min(ChunkValues, count - start), seeds[c]);
            TensorPrimitives.Multiply(chunk, (float)sigma, chunk);
            store(start, chunk);
        });
    }

    private static int? ReplayedSeed()
    {
        var text = Environment.GetEnvironmentVariable(SeedVariable);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
            ? seed
            : throw new InvalidOperationException($"{SeedVariable} must be an int32 seed, got '{text}'");
    }
}
