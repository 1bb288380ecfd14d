using System.Globalization;

namespace MoeTune.Plugins.Marlin.Planning;

/// <summary>
/// How a decode pipeline's kernels are launched on one GPU: threads per CTA and dynamic shared memory per CTA, by
/// n-tile count. The register ring takes the fixed size of its struct. The bulk-copy pipelines take an equal share of
/// the SM for the CTAs they aim to hold there (<see cref="BulkCtasPerSm"/>, less the 1 KiB the driver reserves per CTA),
/// or for fewer where such a share is below their minimum (an SM of 100 KiB, as on SM 12.0, holds one
/// two-n-tile CTA): the kernel sizes its ring to what it is given, so the share is the ring's depth.
/// </summary>
public sealed record DecodeLaunch(DecodePipeline Pipeline, int Threads, int SharedBytesOneTile, int SharedBytesTwoTiles)
{
    private const int ReservedSharedBytesPerCta = 1024;

    /// <summary>
    /// Mean (token, slot) pairs per expert from which the overlapped pipeline runs more than 8 tokens with two n-tiles.
    /// Below it one n-tile runs (four CTAs per SM instead of three), and an expert with more than 8 pairs streams its
    /// weights once per group of 8. Measured on an H100 with two row tiles per item (NOTES.md, session 6): Mixtral at 16
    /// tokens (a mean of 4; uniform routing gives some expert more than 8 pairs in 6 % of forwards) took 320 µs with one
    /// n-tile against 373 µs with two, so 4 is below the threshold (it was 4 with one row tile per item). No preset is
    /// denser at 16 tokens; 6, between that measured 4 and the 8 at which most experts would need two groups, is not
    /// measured.
    /// </summary>
    public const int DenseMeanPairsPerExpert = 6;

    /// <summary>
    /// CTAs per SM a bulk-copy pipeline aims for: its launch bounds (marlin_decode_bulk.cu) match these. The overlapped
    /// pipeline holds one more than the bulk pipeline (4 and 3: more independent item streams per SM, and a quarter fewer
    /// items per CTA); ptxas fits its kernels in 96 and 128 registers without spills.
    /// </summary>
    public static int BulkCtasPerSm(DecodePipeline pipeline, int columnTiles) => pipeline switch
    {
        DecodePipeline.BulkCopy => columnTiles == 1 ? 3 : 2,
        DecodePipeline.BulkCopyOverlapped => columnTiles == 1 ? 4 : 3,
        _ => throw new ArgumentOutOfRangeException(nameof(pipeline), pipeline, "not a bulk-copy pipeline"),
    };

    /// <summary>
    /// The n-tiles (8 pairs each) of the kernel that runs <paramref name="tokens"/> tokens of a layer with
    /// <paramref name="experts"/> experts and top-<paramref name="topK"/> routing: one up to 8 tokens. Above, the register
    /// ring and the bulk pipeline take two; the overlapped pipeline keeps one (four CTAs per SM instead of three, a quarter
    /// fewer items per CTA) unless the routing is dense (<see cref="DenseMeanPairsPerExpert"/>). An expert with more pairs
    /// than the kernel's columns is still computed exactly, in several groups.
    /// </summary>
    public int ColumnTiles(int tokens, int topK, int experts)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokens);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(topK);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(experts);
        if (tokens <= 8)
        {
            return 1;
        }

        var dense = (long)tokens * topK >= (long)DenseMeanPairsPerExpert * experts;
        return Pipeline != DecodePipeline.BulkCopyOverlapped || dense ? 2 : 1;
    }

    public int SharedBytes(int columnTiles) => columnTiles switch
    {
        1 => SharedBytesOneTile,
        2 => SharedBytesTwoTiles,
        _ => throw new ArgumentOutOfRangeException(nameof(columnTiles), columnTiles, "one or two n-tiles"),
    };

    /// <summary>
    /// The launch of <paramref name="pipeline"/> for weights of <paramref name="recordBytes"/>-byte records on an SM
    /// with <paramref name="sm"/>'s resources, where a block may opt in to <paramref name="maxSharedPerBlock"/> bytes.
    /// Throws when even a whole SM is below the bulk pipeline's minimum (two stages as wide as a group).
    /// </summary>
    public static DecodeLaunch For(DecodePipeline pipeline, SmResources sm, int maxSharedPerBlock, int recordBytes)
    {
        ArgumentNullException.ThrowIfNull(sm);
        if (pipeline == DecodePipeline.RegisterRing)
        {
            return new DecodeLaunch(pipeline, KernelLimits.DecodeThreads, KernelLimits.DecodeSharedBytes(1), KernelLimits.DecodeSharedBytes(2));
        }

        return new DecodeLaunch(
            pipeline,
            KernelLimits.DecodeBulkThreads,
            BulkShare(pipeline, sm, maxSharedPerBlock, recordBytes, 1),
            BulkShare(pipeline, sm, maxSharedPerBlock, recordBytes, 2));
    }

    private static int BulkShare(DecodePipeline pipeline, SmResources sm, int maxSharedPerBlock, int recordBytes, int columnTiles)
    {
        var minimum = KernelLimits.DecodeBulkMinimumBytes(columnTiles, recordBytes);
        for (var ctas = BulkCtasPerSm(pipeline, columnTiles); ctas >= 1; ctas--)
        {
            var share = Math.Min(maxSharedPerBlock, (sm.SharedBytes / ctas) - ReservedSharedBytesPerCta) / 128 * 128;
            if (share >= minimum)
            {
                return share;
            }
        }

        throw new NotSupportedException(string.Create(
            CultureInfo.InvariantCulture,
            $"Marlin's bulk-copy decode kernel with {columnTiles} n-tile(s) needs {minimum} bytes of shared memory per CTA; this GPU has {sm.SharedBytes} per SM and allows {maxSharedPerBlock} per block"));
    }
}
