using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;

namespace MoeTune.Engine.Bench.Roofline;

/// <summary>Which side of the roofline sets a floor.</summary>
public enum RooflineBound
{
    /// <summary>Reading the active experts' weights takes longer than their FLOPs.</summary>
    Memory,

    /// <summary>The FLOPs take longer than reading the weights.</summary>
    Compute,
}

/// <summary>
/// The least time one forward can take at the ceilings measured in this run, for the exact routing timed: each rotation
/// set's floor is the larger of (the distinct experts its routing activates × their weight and scale bytes) over the
/// read bandwidth and (2 · T · k · parameters per expert) over the matrix rate; the floor is the mean over the sets,
/// since a timing is the mean time per call over the rotation. Activations are not counted: the floor is the weights'.
/// </summary>
/// <param name="Tokens">T.</param>
/// <param name="Routing">The routing distribution's label.</param>
/// <param name="RotationSets">Input sets the timing rotates through, each with its own routing draw.</param>
/// <param name="MeanActiveExperts">Distinct experts one set activates, averaged over the sets.</param>
/// <param name="WeightBytes">Weight and scale bytes one forward must read, averaged over the sets.</param>
/// <param name="RotationWeightBytes">Weight bytes of every expert any set activates: what the rotation keeps in play (compare with L2).</param>
/// <param name="Flops">Multiply-add FLOPs of one forward (the same for every set).</param>
/// <param name="MemoryMicroseconds">Mean of the sets' weight bytes over the read bandwidth.</param>
/// <param name="ComputeMicroseconds">FLOPs over the matrix rate.</param>
/// <param name="FloorMicroseconds">Mean over the sets of the larger of the two.</param>
public sealed record RooflineFloor(
    int Tokens,
    string Routing,
    int RotationSets,
    double MeanActiveExperts,
    double WeightBytes,
    double RotationWeightBytes,
    double Flops,
    double MemoryMicroseconds,
    double ComputeMicroseconds,
    double FloorMicroseconds)
{
    public RooflineBound Bound => MemoryMicroseconds >= ComputeMicroseconds ? RooflineBound.Memory : RooflineBound.Compute;

    /// <summary>
    /// The floor of <paramref name="shape"/> at <paramref name="tokens"/> tokens for the routing of each rotation set
    /// (<paramref name="expertIdsPerSet"/>: each set's [T, k] expert ids), at the given rates.
    /// </summary>
    public static RooflineFloor Compute(
        MoeShape shape, int tokens, string routing, IReadOnlyList<int[]> expertIdsPerSet, double readBytesPerSecond, double matrixFlopsPerSecond)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(expertIdsPerSet);
        if (expertIdsPerSet.Count == 0) throw new ArgumentException("a floor needs at least one rotation set", nameof(expertIdsPerSet));
        if (!(readBytesPerSecond > 0) || !(matrixFlopsPerSecond > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(readBytesPerSecond), "the read bandwidth and the matrix rate must be positive");
        }

        var perExpert = ExpertBytes(shape);
        var flops = 2.0 * tokens * shape.TopK * shape.ParametersPerExpert;
        var computeUs = flops / matrixFlopsPerSecond * 1e6;
        var union = new HashSet<int>();
        double experts = 0, bytes = 0, floor = 0;
        foreach (var ids in expertIdsPerSet)
        {
            if (ids.Length != (long)tokens * shape.TopK)
            {
                throw new ArgumentException($"a rotation set holds {ids.Length} expert ids; {tokens} tokens × top-{shape.TopK} need {(long)tokens * shape.TopK}");
            }

            var distinct = ActiveExperts(ids, shape.Experts);
            union.UnionWith(ids);
            experts += distinct;
            bytes += distinct * perExpert;
            floor += Math.Max(distinct * perExpert / readBytesPerSecond * 1e6, computeUs);
        }

        var sets = expertIdsPerSet.Count;
        return new RooflineFloor(
            tokens, routing, sets, experts / sets, bytes / sets, union.Count * perExpert, flops, bytes / sets / readBytesPerSecond * 1e6, computeUs, floor / sets);
    }

    /// <summary>Bytes of one expert a kernel must read: both matrices' elements, block scales and global scales, and biases where the activation has them.</summary>
    public static double ExpertBytes(MoeShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var globalScales = shape.Format is WeightFormat.Nvfp4 or WeightFormat.Fp8 ? 2 * sizeof(float) : 0;
        var biases = shape.Activation.HasBiases() ? (shape.W13Rows + shape.Hidden) * sizeof(float) : 0;
        return QuantizedMatrix.DataBytes(shape.Format, shape.W13Rows, shape.Hidden)
            + QuantizedMatrix.ScaleBytes(shape.Format, shape.W13Rows, shape.Hidden)
            + QuantizedMatrix.DataBytes(shape.Format, shape.Hidden, shape.Intermediate)
            + QuantizedMatrix.ScaleBytes(shape.Format, shape.Hidden, shape.Intermediate)
            + globalScales
            + biases;
    }

    /// <summary>How many distinct experts <paramref name="ids"/> names; an id outside 0..experts−1 is an error naming it.</summary>
    public static int ActiveExperts(ReadOnlySpan<int> ids, int experts)
    {
        var seen = new bool[experts];
        var count = 0;
        foreach (var id in ids)
        {
            if ((uint)id >= (uint)experts)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"expert id outside 0..{experts - 1}");
            }

            if (!seen[id])
            {
                seen[id] = true;
                count++;
            }
        }

        return count;
    }
}
