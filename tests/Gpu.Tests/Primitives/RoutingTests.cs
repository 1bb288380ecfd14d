using MoeTune.Cuda.Driver;
using MoeTune.Gpu.Tests.Infrastructure;
using MoeTune.Reference.Routing;

namespace MoeTune.Gpu.Tests.Primitives;

/// <summary>The GPU router against <see cref="ReferenceRouter"/>: the same experts in the same order, bit for bit; weights to float rounding.</summary>
public sealed class RoutingTests(GpuFixture gpu)
{
    [Theory]
    [MemberData(nameof(PresetCases.All), MemberType = typeof(PresetCases))]
    public void Routing_chooses_what_the_reference_chooses(string preset, int tokens)
    {
        var context = gpu.Require();
        var model = PresetCases.Find(preset);
        var (experts, topK, spec) = (model.Shape.Experts, model.Shape.TopK, model.Routing);
        var random = TestInputs.NewRandom($"routing {preset} T={tokens}");
        var logits = TestInputs.Normal(random, tokens * experts, sigma: 2.0);
        var bias = spec.UsesCorrectionBias ? TestInputs.Normal(random, experts, sigma: 0.05) : [];
        var expected = ReferenceRouter.Route(spec, logits, tokens, experts, topK, bias);

        using var stream = CudaStream.Create(context);
        using var deviceLogits = DeviceBuffer.FromHost<float>(context, logits);
        using var deviceBias = spec.UsesCorrectionBias ? DeviceBuffer.FromHost<float>(context, bias) : null;
        using var ids = DeviceBuffer.Allocate<int>(context, tokens * topK);
        using var weights = DeviceBuffer.Allocate<float>(context, tokens * topK);
        ids.FillAsync(Poison.I32, stream);
        weights.FillAsync(Poison.F32, stream);
        gpu.Router.Route(spec, tokens, experts, topK, deviceLogits.Address, deviceBias?.Address ?? 0, ids.Address, weights.Address, stream.Handle);
        stream.Synchronize();
        var actualIds = ids.Download<int>();
        var actualWeights = weights.Download<float>();

        for (var i = 0; i < expected.Ids.Length; i++)
        {
            Assert.True(
                expected.Ids[i] == actualIds[i],
                $"token {i / topK}, slot {i % topK}: the reference chose expert {expected.Ids[i]}, the GPU {actualIds[i]} " +
                $"(reference row: [{string.Join(", ", expected.Ids.Skip(i / topK * topK).Take(topK))}], GPU row: [{string.Join(", ", actualIds.Skip(i / topK * topK).Take(topK))}])");
        }

        for (var i = 0; i < expected.Weights.Length; i++)
        {
            var (want, got) = (expected.Weights[i], actualWeights[i]);
            Assert.True(
                Math.Abs(want - got) <= 2e-7 * Math.Abs(want) + 1e-30,
                $"token {i / topK}, slot {i % topK} (expert {expected.Ids[i]}): weight {got:R}, reference {want:R}");
        }
    }
}
