namespace MoeTune.Plugins.Marlin.Planning;

/// <summary>
/// The kernels' compile-time constants (#defines in kernels/marlin_decode.cu and marlin_prefill.cu) that the host's
/// launch arithmetic depends on. The tests read the sources and check that every value here matches.
/// </summary>
public static class KernelLimits
{
    /// <summary>DECODE_WARPS: warps per decode CTA, each streaming its share of an item's K.</summary>
    public const int DecodeWarps = 4;

    /// <summary>DECODE_THREADS.</summary>
    public const int DecodeThreads = DecodeWarps * 32;

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
    /// sizeof(DecodeShared&lt;NT&gt;) in marlin_decode.cu, field by field: the dynamic shared memory each decode CTA
    /// needs. The kernel traps when launched with less, so a drift between the two is loud.
    /// </summary>
    public static int DecodeSharedBytes(int columnTiles)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columnTiles, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(columnTiles, 2);
        var activationRing = DecodeWarps * DecodeStages * columnTiles * DecodeColumnBytes;
        var routingScratch = (DecodeMaxPairs * sizeof(int) * 2) + (DecodeMaxExperts / 32 * sizeof(uint) * 2);
        var reduce = DecodeWarps * columnTiles * 4 * 32 * sizeof(float);
        var routing = ((DecodeMaxPairs + 1) * sizeof(int)) + (DecodeMaxPairs * sizeof(ushort) * 2);
        var scalars = (DecodeWarps + 4 + 2) * sizeof(int);
        var divisors = 4 * 3 * sizeof(uint);
        return Math.Max(activationRing, routingScratch) + reduce + routing + scalars + divisors;
    }
}
