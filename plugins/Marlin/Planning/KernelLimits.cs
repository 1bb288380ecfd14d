namespace MoeTune.Plugins.Marlin.Planning;

/// <summary>
/// The kernels' compile-time constants (#defines in kernels/marlin_decode.cu and marlin_prefill.cu) that the host's
/// launch arithmetic depends on. The tests read the sources and check that every value here matches.
/// </summary>
public static class KernelLimits
{
    /// <summary>DECODE_WARPS: the warps of a decode CTA that multiply, each taking its share of an item's K.</summary>
    public const int DecodeWarps = 4;

    /// <summary>DECODE_THREADS: the register-ring pipeline's CTA.</summary>
    public const int DecodeThreads = DecodeWarps * 32;

    /// <summary>DECODE_MAX_CTA_WARPS: the most warps a decode CTA has (the routing scan keeps one sum per warp).</summary>
    public const int DecodeMaxCtaWarps = 8;

    /// <summary>DECODE_BULK_WARPS: the bulk-copy pipeline's CTA, four consumer warps and one producer warp.</summary>
    public const int DecodeBulkWarps = DecodeWarps + 1;

    /// <summary>DECODE_BULK_THREADS.</summary>
    public const int DecodeBulkThreads = DecodeBulkWarps * 32;

    /// <summary>DECODE_BULK_STAGE_RECORDS: weight records per stage of the bulk pipeline's ring.</summary>
    public const int DecodeBulkStageRecords = 8;

    /// <summary>MARLIN_ITEM_TILES: row tiles per work item of the bulk pipelines (their stages hold 8 / this K chunks of each).</summary>
    public const int DecodeItemTiles = 2;

    /// <summary>
    /// MARLIN_GEMM2_PREFETCH_EXPERTS: forwards of at most this many active experts copy GEMM2 weights before their
    /// expert's GEMM1 is complete (the overlapped pipeline's grid rule, <see cref="DecodeGrid"/>, leaves them alone too).
    /// </summary>
    public const int DecodeGemm2PrefetchExperts = 2;

    /// <summary>DECODE_BULK_STAGE_CHUNKS: the K chunks a bulk-pipeline stage covers.</summary>
    public const int DecodeBulkStageChunks = DecodeBulkStageRecords / DecodeItemTiles;

    /// <summary>DECODE_BULK_MAX_STAGES: the most stages the bulk pipeline's ring takes (one mbarrier pair each).</summary>
    public const int DecodeBulkMaxStages = 12;

    /// <summary>DECODE_BULK_COLUMN_SKEW: bytes between one pair's activation slice and the next beyond the slice itself.</summary>
    public const int DecodeBulkColumnSkew = 16;

    /// <summary>DECODE_STAGES: records in each warp's weight ring (registers) and activation ring (shared memory).</summary>
    public const int DecodeStages = 4;

    /// <summary>DECODE_MAX_PAIRS: T·k the decode kernel's in-CTA routing holds.</summary>
    public const int DecodeMaxPairs = 512;

    /// <summary>DECODE_MAX_EXPERTS: experts the decode kernel's bitmap holds.</summary>
    public const int DecodeMaxExperts = 1024;

    /// <summary>DECODE_COLUMN_BYTES: one n-tile's activations per chunk in the activation ring (32 lanes × 32 bytes).</summary>
    public const int DecodeColumnBytes = 1024;

    /// <summary>Tokens up to which the decode kernel runs: two n-tiles of 8 columns per item.</summary>
    public const int DecodeMaxTokens = 16;

    /// <summary>PREFILL_THREADS.</summary>
    public const int PrefillThreads = 128;

    /// <summary>PREFILL_BLOCK_TILES: weight row tiles per prefill CTA (4 warps × 2).</summary>
    public const int PrefillBlockTiles = 8;

    /// <summary>PREFILL_COLUMNS: (token, slot) pairs per prefill token tile.</summary>
    public const int PrefillColumns = 64;

    /// <summary>ROUTE_THREADS: the prefill routing kernel's one CTA.</summary>
    public const int RouteThreads = 1024;

    /// <summary>ROUTE_MAX_EXPERTS: experts the routing kernel counts (one per thread).</summary>
    public const int RouteMaxExperts = 1024;

    /// <summary>Threads per block of the prefill reduction (a launch choice, not a define).</summary>
    public const int ReduceThreads = 256;

    /// <summary>
    /// sizeof(DecodeShared&lt;NT&gt;) in marlin_decode.cu, field by field: the dynamic shared memory each register-ring
    /// decode CTA needs. The kernel traps when launched with less, so a drift between the two is loud.
    /// </summary>
    public static int DecodeSharedBytes(int columnTiles)
    {
        CheckColumnTiles(columnTiles);
        var activationRing = DecodeWarps * DecodeStages * columnTiles * DecodeColumnBytes;
        var tickets = 4 * sizeof(int);
        var isLast = sizeof(int);
        return Math.Max(activationRing, RoutingScratchBytes) + ReduceBytes(columnTiles) + RoutingBytes + tickets + isLast;
    }

    /// <summary>
    /// Offset of the ring in BulkShared&lt;NT&gt; (marlin_decode_bulk.cu), field by field: what a bulk-copy decode CTA
    /// keeps besides its ring. The ring starts 128-byte aligned and holds the routing scratch until its first use.
    /// </summary>
    public static int DecodeBulkRingOffset(int columnTiles)
    {
        CheckColumnTiles(columnTiles);
        var reduceSlots = 2 * (DecodeWarps - 1) * DecodeItemTiles * ReduceSlotBytes(columnTiles);  // two buffers of three warps' slots, a tile each
        var barriers = ((2 * DecodeBulkMaxStages) + 4) * sizeof(ulong);  // full and empty per stage, reduce_full and reduce_free per buffer
        var stageHeaders = 2 * DecodeBulkMaxStages * sizeof(int);
        var gemm1Seen = DecodeMaxPairs;
        var scalars = 2 * sizeof(int);  // first_ticket, is_last
        var shiftMultipliers = 4 * sizeof(uint);
        return RoundUp(RoutingBytes + reduceSlots + barriers + stageHeaders + gemm1Seen + scalars + shiftMultipliers, 128);
    }

    /// <summary>Bytes of one bulk-pipeline stage: its weight records and one activation slice per column.</summary>
    public static int DecodeBulkStageBytes(int recordBytes, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(recordBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        return (DecodeBulkStageRecords * recordBytes) + (columns * DecodeBulkColumnStride);
    }

    /// <summary>
    /// The least dynamic shared memory a bulk-copy decode CTA takes: sizeof(BulkShared&lt;NT&gt;) (the ring's place
    /// holds the routing scratch), and two stages as wide as a group can be (8 pairs per n-tile). The kernel traps below
    /// either.
    /// </summary>
    public static int DecodeBulkMinimumBytes(int columnTiles, int recordBytes)
    {
        var ring = Math.Max(RoundUp(RoutingScratchBytes, 128), 2 * DecodeBulkStageBytes(recordBytes, 8 * columnTiles));
        return DecodeBulkRingOffset(columnTiles) + ring;
    }

    /// <summary>Bytes from one pair's activation slice in a narrow stage to the next: 64 bf16 per K chunk, plus the skew
    /// (launch_ring; wide stages, which it takes only where they leave at least two stages, have two or four times the chunks).</summary>
    public static int DecodeBulkColumnStride => (DecodeBulkStageChunks * 64 * sizeof(ushort)) + DecodeBulkColumnSkew;

    private static int RoutingScratchBytes => (DecodeMaxPairs * sizeof(int) * 2) + (DecodeMaxExperts / 32 * sizeof(uint) * 2);

    /// <summary>sizeof(DecodeRouting) in marlin_decode_common.cuh.</summary>
    private static int RoutingBytes =>
        ((DecodeMaxPairs + 2) * sizeof(ushort)) + (DecodeMaxPairs * sizeof(ushort) * 2) + (DecodeMaxCtaWarps * sizeof(int)) + sizeof(int) + (4 * 3 * sizeof(uint));

    private static int ReduceBytes(int columnTiles) => DecodeWarps * ReduceSlotBytes(columnTiles);

    /// <summary>One warp's accumulators in a reduce buffer: [n-tile][4][32] floats.</summary>
    private static int ReduceSlotBytes(int columnTiles) => columnTiles * 4 * 32 * sizeof(float);

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    private static void CheckColumnTiles(int columnTiles)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columnTiles, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(columnTiles, 2);
    }
}
