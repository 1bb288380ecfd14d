using MoeTune.Cuda.Driver;
using MoeTune.Cuda.Primitives;
using MoeTune.Gpu.Tests.Infrastructure;
using MoeTune.Reference.Formats;

namespace MoeTune.Gpu.Tests.Primitives;

/// <summary>
/// The weighted top-k reduction against its CPU model, bit for bit: f32 fused multiply-adds in slot order, one
/// round-to-nearest-even to bf16.
/// </summary>
public sealed class ReductionTests(GpuFixture gpu)
{
    [Theory]
    [MemberData(nameof(PresetCases.All), MemberType = typeof(PresetCases))]
    public void Reduction_in_assignment_order_is_exact(string preset, int tokens)
    {
        var context = gpu.Require();
        var model = PresetCases.Find(preset);
        var (topK, hidden) = (model.Shape.TopK, model.Shape.Hidden);
        var random = TestInputs.NewRandom($"reduction {preset} T={tokens}");
        var outputs = TestInputs.NormalBf16(random, tokens * topK * hidden);
        var weights = Enumerable.Range(0, tokens * topK).Select(_ => (float)random.NextDouble()).ToArray();

        var actual = RunReduction(context, tokens, topK, hidden, outputs, weights, rows: null);

        AssertExact(Model(tokens, topK, hidden, outputs, weights, rows: null), actual, $"{preset} T={tokens}");
    }

    [Fact]
    public void Reduction_through_the_alignment_slots_skips_dropped_assignments()
    {
        var context = gpu.Require();
        var random = TestInputs.NewRandom("reduction through slots");
        const int tokens = 300, topK = 4, experts = 32, hidden = 256;
        var layout = ExpertAlignmentLayout.Plan(tokens, topK, experts, blockSize: 16);
        var ids = Enumerable.Range(0, layout.Assignments).Select(_ => random.Next(-1, experts)).ToArray();
        var slots = ExpertAlignmentModel.Compute(layout, ids).AssignmentSlots;
        var outputs = TestInputs.NormalBf16(random, layout.CapacitySlots * hidden);
        var weights = Enumerable.Range(0, layout.Assignments).Select(_ => (float)random.NextDouble()).ToArray();

        var actual = RunReduction(context, tokens, topK, hidden, outputs, weights, slots);

        AssertExact(Model(tokens, topK, hidden, outputs, weights, slots), actual, "slot order");
    }

    private ushort[] RunReduction(CudaContext context, int tokens, int topK, int hidden, ushort[] outputs, float[] weights, int[]? rows)
    {
        using var stream = CudaStream.Create(context);
        using var deviceOutputs = DeviceBuffer.FromHost<ushort>(context, outputs);
        using var deviceWeights = DeviceBuffer.FromHost<float>(context, weights);
        using var deviceRows = rows is null ? null : DeviceBuffer.FromHost<int>(context, rows);
        using var result = DeviceBuffer.Allocate<ushort>(context, tokens * hidden);
        result.FillAsync(Poison.Bf16, stream);
        gpu.Reducer.Reduce(tokens, topK, hidden, deviceOutputs.Address, deviceWeights.Address, deviceRows?.Address ?? 0, result.Address, stream.Handle);
        stream.Synchronize();
        return result.Download<ushort>();
    }

    /// <summary>The kernel's arithmetic on the CPU: MathF.FusedMultiplyAdd is the same single-rounding operation as __fmaf_rn.</summary>
    private static ushort[] Model(int tokens, int topK, int hidden, ushort[] outputs, float[] weights, int[]? rows)
    {
        var result = new ushort[tokens * hidden];
        for (var t = 0; t < tokens; t++)
        {
            for (var h = 0; h < hidden; h++)
            {
                var acc = 0f;
                for (var j = 0; j < topK; j++)
                {
                    var assignment = (t * topK) + j;
                    var row = rows?[assignment] ?? assignment;
                    if (row >= 0)
                    {
                        acc = MathF.FusedMultiplyAdd(weights[assignment], Bf16.ToFloat(outputs[((long)row * hidden) + h]), acc);
                    }
                }

                result[(t * hidden) + h] = Bf16.FromFloat(acc);
            }
        }

        return result;
    }

    private static void AssertExact(ushort[] expected, ushort[] actual, string what)
    {
        var first = Enumerable.Range(0, expected.Length).FirstOrDefault(i => expected[i] != actual[i], -1);
        Assert.True(first < 0, $"{what}: element {first} is 0x{(first < 0 ? 0 : actual[first]):X4}, the model says 0x{(first < 0 ? 0 : expected[first]):X4}");
    }
}
