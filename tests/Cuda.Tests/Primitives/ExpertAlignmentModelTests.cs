using MoeTune.Cuda.Primitives;

namespace MoeTune.Cuda.Tests.Primitives;

public sealed class ExpertAlignmentModelTests
{
    [Fact]
    public void Groups_assignments_by_expert_in_index_order_with_padded_runs()
    {
        // T = 3 tokens, k = 2: assignments 0..5 routed to experts 2,0 | 2,1 | 0,2.
        var layout = ExpertAlignmentLayout.Plan(tokens: 3, topK: 2, experts: 4, blockSize: 4);

        var result = ExpertAlignmentModel.Compute(layout, [2, 0, 2, 1, 0, 2]);

        Assert.Equal([2, 1, 3, 0], result.ExpertCounts);
        Assert.Equal([0, 4, 8, 12, 12], result.ExpertOffsets);
        Assert.Equal(12, result.TotalPadded);
        var pad = layout.PadValue;
        Assert.Equal([1, 4, pad, pad, 3, pad, pad, pad, 0, 2, 5, pad], result.SortedIds[..12]);
        Assert.All(result.SortedIds[12..], s => Assert.Equal(pad, s));
        Assert.Equal([0, 1, 2], result.BlockExperts[..3]);
        Assert.All(result.BlockExperts[3..], b => Assert.Equal(-1, b));
        Assert.Equal([8, 0, 9, 4, 1, 10], result.AssignmentSlots);
    }

    [Fact]
    public void Ids_outside_the_expert_range_are_dropped()
    {
        var layout = ExpertAlignmentLayout.Plan(tokens: 2, topK: 2, experts: 2, blockSize: 2);

        var result = ExpertAlignmentModel.Compute(layout, [1, -1, 7, 1]);

        Assert.Equal([0, 2], result.ExpertCounts);
        Assert.Equal([0, 3], result.SortedIds[..2]);
        Assert.Equal([0, -1, -1, 1], result.AssignmentSlots);
    }

    [Theory]
    [InlineData(1, 8, 128, 64)]
    [InlineData(4096, 8, 256, 128)]
    [InlineData(7, 22, 512, 16)]
    [InlineData(1000, 1, 16, 64)]
    public void The_worst_case_fits_the_planned_capacity(int tokens, int topK, int experts, int blockSize)
    {
        var layout = ExpertAlignmentLayout.Plan(tokens, topK, experts, blockSize);
        // Worst case for padding: every used expert receives one assignment, spread over as many experts as possible.
        var ids = Enumerable.Range(0, layout.Assignments).Select(i => i % experts).ToArray();

        var result = ExpertAlignmentModel.Compute(layout, ids);

        Assert.True(result.TotalPadded <= layout.CapacitySlots);
        Assert.Equal(0, layout.CapacitySlots % blockSize);
        Assert.Equal(layout.Assignments, result.ExpertCounts.Sum());
        var placed = result.SortedIds.Where(s => s != layout.PadValue).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, layout.Assignments), placed);
    }

    [Fact]
    public void Refuses_more_experts_than_the_kernels_hold() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ExpertAlignmentLayout.Plan(1, 1, ExpertAlignmentLayout.MaxExperts + 1, 64));
}
