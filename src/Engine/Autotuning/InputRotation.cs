using MoeTune.Abstractions.Problems;
using MoeTune.Engine.Devices;
using MoeTune.Reference.Synthetic;

namespace MoeTune.Engine.Autotuning;

/// <summary>
/// The input sets a timing rotates through, so that the cache does not flatter (DESIGN.md "Tuning"): each set has its
/// own hidden states and its own routing drawn from the realistic distribution, so consecutive forwards touch
/// different experts' weights as well as different activations.
/// </summary>
internal static class InputRotation
{
    /// <summary>Fewest sets: even large inputs alternate between two.</summary>
    public const int MinSets = 2;

    /// <summary>Most sets: at small token counts this spreads the routing over most experts.</summary>
    public const int MaxSets = 16;

    /// <summary>Where the device's L2 size is unknown (the CPU), rotate through at least this many bytes.</summary>
    public const long DefaultCacheBytes = 64L << 20;

    /// <summary>How many sets of <paramref name="setBytes"/> bytes to rotate through: enough to cover four times the cache, within the bounds.</summary>
    public static int SetCount(long setBytes, long cacheBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(setBytes);
        var cover = 4 * (cacheBytes > 0 ? cacheBytes : DefaultCacheBytes);
        return (int)Math.Clamp((cover + setBytes - 1) / setBytes, MinSets, MaxSets);
    }

    /// <summary>Bytes one set of a forward of <paramref name="tokens"/> tokens reads and writes.</summary>
    public static long SetBytes(MoeShape shape, int tokens) =>
        ((long)tokens * shape.Hidden * sizeof(ushort) * 2) + ((long)tokens * shape.TopK * (sizeof(int) + sizeof(float)));

    /// <summary>Allocates and fills the sets for <paramref name="tokens"/> tokens; the caller disposes them.</summary>
    public static IReadOnlyList<ForwardTensors> Create(IExecutionDevice device, MoeShape shape, int tokens, RoutingDistribution routing, int seed)
    {
        var count = SetCount(SetBytes(shape, tokens), device.Info.L2CacheBytes);
        var sets = new List<ForwardTensors>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var setSeed = unchecked(seed + (31 * tokens) + i);
                var tensors = device.AllocateTensors(shape, tokens);
                sets.Add(tensors);
                var drawn = SyntheticInputs.DrawRouting(routing, tokens, shape.Experts, shape.TopK, setSeed);
                tensors.Write(SyntheticInputs.HiddenStates(tokens, shape.Hidden, setSeed), drawn.Ids, drawn.Weights);
            }
        }
        catch
        {
            sets.ForEach(s => s.Dispose());
            throw;
        }

        return sets;
    }
}
