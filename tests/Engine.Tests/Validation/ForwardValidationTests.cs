using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Tensors;
using MoeTune.Engine.Accuracy;
using MoeTune.Engine.Devices;
using MoeTune.Engine.Layers;
using MoeTune.Engine.Tests.Support;
using MoeTune.Reference.Formats;
using MoeTune.Reference.Layer;
using MoeTune.Reference.Synthetic;

namespace MoeTune.Engine.Tests.Validation;

/// <summary>
/// IMoeLayer.Forward, the library's per-step entry: a wrong token count, tensor type, shape, memory or expert id is an
/// ArgumentException naming the tensor before any backend sees it; NaN and infinite inputs propagate as in the reference.
/// </summary>
public sealed class ForwardValidationTests : IDisposable
{
    private const int Tokens = 4;

    private readonly EngineHarness _engine = new(configure: o => o.Backend = "reference");
    private readonly IMoeLayer _layer;
    private readonly IExecutionDevice _device;
    private readonly ForwardTensors _tensors;

    public ForwardValidationTests()
    {
        _layer = _engine.Get<IMoeLayerFactory>().Create(TinyModel.Shape(), RoutingSpec.SoftmaxRenormalized, TinyWeights.Of(), new MoeLayerRequest { MaxTokens = 8 });
        _device = _engine.OpenCpu();
        _tensors = _device.AllocateTensors(_layer.Shape, Tokens);
        var routing = SyntheticInputs.DrawRouting(RoutingDistribution.Uniform, Tokens, TinyModel.Experts, TinyModel.TopK, 3);
        _tensors.Write(SyntheticInputs.HiddenStates(Tokens, TinyModel.Hidden, 3), routing.Ids, routing.Weights);
    }

    public void Dispose()
    {
        _tensors.Dispose();
        _device.Dispose();
        _layer.Dispose();
        _engine.Dispose();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(9)]
    public void A_token_count_outside_1_to_max_is_refused(int tokens)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => _layer.Forward(_tensors.Args(0) with { Tokens = tokens }));

        Assert.Contains("a forward takes 1..8 tokens", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tensor_of_another_type_is_named()
    {
        var args = _tensors.Args(0);

        var error = Assert.Throws<ArgumentException>(() => _layer.Forward(args with { Hidden = args.Hidden with { DType = DType.F32 } }));

        Assert.Equal("hidden: expected Bf16, got F32", error.Message);
    }

    [Fact]
    public void A_tensor_of_another_shape_is_named()
    {
        var args = _tensors.Args(0);

        var error = Assert.Throws<ArgumentException>(() => _layer.Forward(args with { TopKIds = args.TopKIds with { Cols = TinyModel.TopK + 1 } }));

        Assert.Equal($"topk_ids: expected shape [{Tokens}, {TinyModel.TopK}], got [{Tokens}, {TinyModel.TopK + 1}]", error.Message);
    }

    [Fact]
    public void Fewer_rows_than_tokens_is_refused()
    {
        var args = _tensors.Args(0);

        var error = Assert.Throws<ArgumentException>(() => _layer.Forward(args with { Output = args.Output with { Rows = Tokens - 1 } }));

        Assert.StartsWith("output: expected shape", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Device_memory_given_to_a_host_layer_is_refused()
    {
        var args = _tensors.Args(0);

        var error = Assert.Throws<ArgumentException>(() => _layer.Forward(args with { TopKWeights = args.TopKWeights with { Location = MemoryLocation.Cuda } }));

        Assert.Equal("topk_weights: expected Host memory, got Cuda", error.Message);
    }

    [Fact]
    public void A_null_tensor_is_refused()
    {
        var args = _tensors.Args(0);

        var error = Assert.Throws<ArgumentException>(() => _layer.Forward(args with { Output = args.Output with { Address = 0 } }));

        Assert.Equal("output: null pointer", error.Message);
    }

    [Theory]
    [InlineData(TinyModel.Experts)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public void An_expert_id_outside_0_to_E_is_refused_with_its_position(int id)
    {
        var routing = SyntheticInputs.DrawRouting(RoutingDistribution.Uniform, Tokens, TinyModel.Experts, TinyModel.TopK, 3);
        routing.Ids[(2 * TinyModel.TopK) + 1] = id;
        _tensors.Write(SyntheticInputs.HiddenStates(Tokens, TinyModel.Hidden, 3), routing.Ids, routing.Weights);

        var error = Assert.Throws<ArgumentException>(() => _layer.Forward(_tensors.Args(0)));

        Assert.Equal($"topk_ids[2, 1] is {id}; expert ids are 0..{TinyModel.Experts - 1}", error.Message);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void Non_finite_inputs_propagate_as_in_the_reference(float poison)
    {
        var hidden = SyntheticInputs.HiddenStates(Tokens, TinyModel.Hidden, 5);
        hidden[(1 * TinyModel.Hidden) + 7] = Bf16.FromFloat(poison);
        var routing = SyntheticInputs.DrawRouting(RoutingDistribution.Uniform, Tokens, TinyModel.Experts, TinyModel.TopK, 5);
        _tensors.Write(hidden, routing.Ids, routing.Weights);
        _tensors.PoisonOutput();

        _layer.Forward(_tensors.Args(0));

        var output = new ushort[Tokens * TinyModel.Hidden];
        _tensors.ReadOutput(output);
        var expected = new ReferenceMoeLayer(TinyWeights.Of()).Forward(hidden, routing.Ids, routing.Weights, Tokens);
        Assert.Contains(expected.Skip(TinyModel.Hidden).Take(TinyModel.Hidden), v => !double.IsFinite(v));
        Assert.All(expected.Take(TinyModel.Hidden), v => Assert.True(double.IsFinite(v)));
        Assert.True(RelativeError.Frobenius(output, expected) <= RelativeError.Bf16Tolerance, "the output differs from the reference");
    }
}
