namespace MoeTune.Cuda.Primitives;

/// <summary>What an expert alignment produces (the GPU's outputs, or the CPU model's).</summary>
/// <param name="ExpertCounts">[E] assignments per expert.</param>
/// <param name="ExpertOffsets">[E + 1] first slot of each expert; the last entry is the padded total.</param>
/// <param name="SortedIds">[CapacitySlots] the assignment in each slot, <see cref="ExpertAlignmentLayout.PadValue"/> in padding.</param>
/// <param name="BlockExperts">[MaxBlocks] the expert of each block of slots, −1 past the total.</param>
/// <param name="AssignmentSlots">[T·k] the slot of each assignment, −1 where its id is outside [0, E).</param>
public sealed record ExpertAlignment(int[] ExpertCounts, int[] ExpertOffsets, int[] SortedIds, int[] BlockExperts, int[] AssignmentSlots)
{
    public int TotalPadded => ExpertOffsets[^1];
}

/// <summary>
/// The CPU model of <see cref="ExpertAligner"/>: a stable counting sort of assignments by expert, each expert's run
/// padded to the block size. The GPU result must equal it exactly.
/// </summary>
public static class ExpertAlignmentModel
{
    public static ExpertAlignment Compute(ExpertAlignmentLayout layout, ReadOnlySpan<int> ids)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (ids.Length != layout.Assignments)
        {
            throw new ArgumentException($"expected {layout.Assignments} expert ids, got {ids.Length}", nameof(ids));
        }

        var experts = layout.Experts;
        var counts = new int[experts];
        foreach (var id in ids)
        {
            if (id >= 0 && id < experts)
            {
                counts[id]++;
            }
        }

        var offsets = new int[experts + 1];
        for (var e = 0; e < experts; e++)
        {
            offsets[e + 1] = offsets[e] + ((counts[e] + layout.BlockSize - 1) / layout.BlockSize * layout.BlockSize);
        }

        var sorted = new int[layout.CapacitySlots];
        Array.Fill(sorted, layout.PadValue);
        var slots = new int[layout.Assignments];
        var cursor = offsets[..experts];
        for (var i = 0; i < ids.Length; i++)
        {
            var id = ids[i];
            if (id >= 0 && id < experts)
            {
                slots[i] = cursor[id]++;
                sorted[slots[i]] = i;
            }
            else
            {
                slots[i] = -1;
            }
        }

        var blocks = new int[layout.MaxBlocks];
        Array.Fill(blocks, -1);
        for (var e = 0; e < experts; e++)
        {
            for (var slot = offsets[e]; slot < offsets[e + 1]; slot += layout.BlockSize)
            {
                blocks[slot / layout.BlockSize] = e;
            }
        }

        return new ExpertAlignment(counts, offsets, sorted, blocks, slots);
    }
}
