namespace MoeTune.Cuda.Primitives;

/// <summary>
/// The sizes of one expert alignment (see <see cref="ExpertAligner"/>): how many slots and blocks the outputs need in the
/// worst case, and the workspace. A pure function of the problem, so buffers can be allocated once for the largest T.
/// </summary>
public sealed record ExpertAlignmentLayout
{
    /// <summary>Assignments per chunk: one warp walks one chunk (32 lanes × 32 rounds); matches expert_align.cu.</summary>
    public const int ChunkAssignments = 1024;

    /// <summary>The largest expert count the kernels' shared memory holds (4 warps × E ints within 48 KiB).</summary>
    public const int MaxExperts = 2048;

    private ExpertAlignmentLayout(int tokens, int topK, int experts, int blockSize)
    {
        Tokens = tokens;
        TopK = topK;
        Experts = experts;
        BlockSize = blockSize;
    }

    public int Tokens { get; }

    public int TopK { get; }

    public int Experts { get; }

    /// <summary>Each expert's run of slots is padded to a multiple of this (a GEMM's M tile).</summary>
    public int BlockSize { get; }

    /// <summary>T·k: the flat assignment index t·k + j is what <c>sorted_ids</c> holds.</summary>
    public int Assignments => Tokens * TopK;

    /// <summary>The value of padding slots in <c>sorted_ids</c>: T·k, one past the last assignment.</summary>
    public int PadValue => Assignments;

    public int Chunks => (Assignments + ChunkAssignments - 1) / ChunkAssignments;

    /// <summary>
    /// Slots the outputs need at most: each expert pads by under one block, and at most T·k experts are non-empty,
    /// so min(T·k + E·(B−1), T·k·B), rounded up to a whole block.
    /// </summary>
    public int CapacitySlots
    {
        get
        {
            var bound = Math.Min((long)Assignments + ((long)Experts * (BlockSize - 1)), (long)Assignments * BlockSize);
            return checked((int)((bound + BlockSize - 1) / BlockSize * BlockSize));
        }
    }

    public int MaxBlocks => CapacitySlots / BlockSize;

    /// <summary>Per-chunk counts and per-chunk offsets, E ints each per chunk.</summary>
    public long WorkspaceBytes => 2L * Chunks * Experts * sizeof(int);

    public static ExpertAlignmentLayout Plan(int tokens, int topK, int experts, int blockSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokens);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(topK);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockSize);
        if (experts <= 0 || experts > MaxExperts)
        {
            throw new ArgumentOutOfRangeException(nameof(experts), experts, $"expert alignment handles 1 to {MaxExperts} experts");
        }

        var layout = new ExpertAlignmentLayout(tokens, topK, experts, blockSize);
        if ((long)tokens * topK > int.MaxValue || (long)tokens * topK + ((long)experts * blockSize) > int.MaxValue)
        {
            throw new ArgumentException($"{tokens} tokens × top-{topK} with {experts} experts in blocks of {blockSize} overflow 32-bit slot indices");
        }

        return layout;
    }
}
