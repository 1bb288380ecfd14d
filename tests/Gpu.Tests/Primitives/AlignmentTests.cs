using MoeTune.Cuda.Driver;
using MoeTune.Cuda.Primitives;
using MoeTune.Gpu.Tests.Infrastructure;
using MoeTune.Reference.Routing;

namespace MoeTune.Gpu.Tests.Primitives;

/// <summary>The GPU expert alignment against <see cref="ExpertAlignmentModel"/>: every output equal, including padding.</summary>
public sealed class AlignmentTests(GpuFixture gpu)
{
    [Theory]
    [MemberData(nameof(PresetCases.All), MemberType = typeof(PresetCases))]
    public void Alignment_of_routed_tokens_equals_the_model(string preset, int tokens)
    {
        gpu.Require();
        var model = PresetCases.Find(preset);
        var random = TestInputs.NewRandom($"alignment {preset} T={tokens}");
        var logits = TestInputs.Normal(random, tokens * model.Shape.Experts, sigma: 2.0);
        var bias = model.Routing.UsesCorrectionBias ? TestInputs.Normal(random, model.Shape.Experts, sigma: 0.05) : [];
        var routed = ReferenceRouter.Route(model.Routing, logits, tokens, model.Shape.Experts, model.Shape.TopK, bias);

        foreach (var blockSize in new[] { 16, 64 })
        {
            AssertMatchesModel(ExpertAlignmentLayout.Plan(tokens, model.Shape.TopK, model.Shape.Experts, blockSize), routed.Ids);
        }
    }

    [Fact]
    public void Skewed_routing_and_ids_outside_the_expert_range()
    {
        gpu.Require();
        var random = TestInputs.NewRandom("alignment skewed");
        const int experts = 64;
        var layout = ExpertAlignmentLayout.Plan(tokens: 3000, topK: 4, experts, blockSize: 128);
        // Most assignments go to three experts (several chunks of the same id); a few are -1 or past E.
        var ids = Enumerable.Range(0, layout.Assignments)
            .Select(_ => random.Next(20) switch { 0 => -1, 1 => experts + random.Next(5), < 10 => 5, < 15 => 6, _ => random.Next(experts) })
            .ToArray();

        AssertMatchesModel(layout, ids);
    }

    private void AssertMatchesModel(ExpertAlignmentLayout layout, int[] topKIds)
    {
        var context = gpu.Context!;
        var expected = ExpertAlignmentModel.Compute(layout, topKIds);
        using var stream = CudaStream.Create(context);
        using var ids = DeviceBuffer.FromHost<int>(context, topKIds);
        using var sorted = DeviceBuffer.Allocate<int>(context, layout.CapacitySlots);
        using var blocks = DeviceBuffer.Allocate<int>(context, layout.MaxBlocks);
        using var counts = DeviceBuffer.Allocate<int>(context, layout.Experts);
        using var offsets = DeviceBuffer.Allocate<int>(context, layout.Experts + 1);
        using var slots = DeviceBuffer.Allocate<int>(context, layout.Assignments);
        using var workspace = DeviceBuffer.Allocate(context, layout.WorkspaceBytes);
        foreach (var output in new[] { sorted, blocks, counts, offsets, slots, workspace })
        {
            output.FillAsync(Poison.I32, stream);
        }

        gpu.Aligner.Align(
            layout, ids.Address,
            new ExpertAlignmentBuffers(sorted.Address, blocks.Address, counts.Address, offsets.Address, workspace.Address, slots.Address),
            stream.Handle);
        stream.Synchronize();

        var what = $"T={layout.Tokens} k={layout.TopK} E={layout.Experts} B={layout.BlockSize}";
        Assert.True(expected.ExpertCounts.SequenceEqual(counts.Download<int>()), $"{what}: expert counts differ");
        Assert.True(expected.ExpertOffsets.SequenceEqual(offsets.Download<int>()), $"{what}: expert offsets differ");
        AssertSame(expected.SortedIds, sorted.Download<int>(), what, "sorted ids");
        AssertSame(expected.BlockExperts, blocks.Download<int>(), what, "block experts");
        AssertSame(expected.AssignmentSlots, slots.Download<int>(), what, "assignment slots");
    }

    private static void AssertSame(int[] expected, int[] actual, string what, string output)
    {
        Assert.Equal(expected.Length, actual.Length);
        var first = Enumerable.Range(0, expected.Length).FirstOrDefault(i => expected[i] != actual[i], -1);
        Assert.True(first < 0, $"{what}: {output} differ first at {first}: expected {(first < 0 ? 0 : expected[first])}, got {(first < 0 ? 0 : actual[first])}");
    }
}
