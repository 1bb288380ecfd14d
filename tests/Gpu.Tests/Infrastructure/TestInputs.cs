using MoeTune.Reference.Formats;

namespace MoeTune.Gpu.Tests.Infrastructure;

/// <summary>
/// Fresh random inputs for every run: the seed is new each time (or MOETUNE_TEST_SEED to replay one) and is written
/// to the test's output, so a failure can be reproduced.
/// </summary>
public static class TestInputs
{
    public static Random NewRandom(string what)
    {
        var fixedSeed = Environment.GetEnvironmentVariable("MOETUNE_TEST_SEED");
        var seed = int.TryParse(fixedSeed, out var s) ? s : Random.Shared.Next();
        TestContext.Current.TestOutputHelper?.WriteLine($"{what}: seed {seed} (replay with MOETUNE_TEST_SEED={seed})");
        return new Random(seed);
    }

    /// <summary>Normal(0, sigma) floats, via Box-Muller.</summary>
    public static float[] Normal(Random random, int count, double sigma = 1.0)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            var u = 1.0 - random.NextDouble();
            values[i] = (float)(sigma * Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }

        return values;
    }

    /// <summary>Normal(0, sigma) values as bf16 bits.</summary>
    public static ushort[] NormalBf16(Random random, int count, double sigma = 1.0) =>
        Normal(random, count, sigma).Select(Bf16.FromFloat).ToArray();
}
