using System.Numerics;

namespace MoeTune.Reference.Synthetic;

/// <summary>
/// xoshiro256** (Blackman and Vigna): a small, fast generator with 256 bits of state, seeded through SplitMix64
/// as its authors recommend. Used instead of <see cref="Random"/> so that streams are cheap to derive per expert and
/// identical on every runtime version.
/// </summary>
internal struct Xoshiro256StarStar
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>A generator for one stream of a seed: (seed, a, b) pairs give independent-looking streams.</summary>
    public Xoshiro256StarStar(long seed, long streamA = 0, long streamB = 0)
    {
        var mix = SplitMix64((ulong)seed);
        mix = SplitMix64(mix ^ (ulong)streamA);
        mix = SplitMix64(mix ^ (ulong)streamB);
        _s0 = SplitMix64(ref mix);
        _s1 = SplitMix64(ref mix);
        _s2 = SplitMix64(ref mix);
        _s3 = SplitMix64(ref mix);
    }

    public ulong NextUInt64()
    {
        var result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, <paramref name="bound"/>), by Lemire's multiply-shift with rejection (unbiased).</summary>
    public int NextInt(int bound)
    {
        var limit = (ulong)bound;
        var threshold = (0UL - limit) % limit;
        while (true)
        {
            var product = Math.BigMul(NextUInt64(), limit, out var low);
            if (low >= threshold)
            {
                return (int)product;
            }
        }
    }

    /// <summary>A standard normal draw (Box-Muller, one of the pair).</summary>
    public double NextNormal()
    {
        var u1 = 1.0 - NextDouble(); // (0, 1]: the logarithm stays finite
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private static ulong SplitMix64(ulong state) => SplitMix64(ref state);

    private static ulong SplitMix64(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
