using System.Numerics;

namespace MoeTune.Tuning;

/// <summary>
/// The token counts a plan is tuned at: powers of two from 1 to 16384. A forward of T tokens belongs to the smallest
/// bucket of at least T (as engines pad to their CUDA-graph sizes), so a bucket's timing is the worst case of the
/// counts it stands for; counts above the largest bucket belong to it.
/// </summary>
public static class TokenBuckets
{
    public const int Smallest = 1;

    public const int Largest = 16384;

    /// <summary>1, 2, 4, …, 16384.</summary>
    public static IReadOnlyList<int> All { get; } =
        Enumerable.Range(0, BitOperations.Log2(Largest) + 1).Select(i => 1 << i).ToArray();

    /// <summary>True for a power of two between <see cref="Smallest"/> and <see cref="Largest"/>.</summary>
    public static bool IsBucket(int tokens) => tokens is >= Smallest and <= Largest && BitOperations.IsPow2(tokens);

    /// <summary>The bucket a forward of <paramref name="tokens"/> tokens belongs to.</summary>
    public static int For(int tokens) => tokens >= 1
        ? (int)Math.Min(Largest, BitOperations.RoundUpToPowerOf2((uint)tokens))
        : throw new ArgumentOutOfRangeException(nameof(tokens), tokens, "a forward has at least one token");
}
