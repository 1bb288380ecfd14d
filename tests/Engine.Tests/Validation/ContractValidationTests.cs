using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Tensors;
using MoeTune.Abstractions.Weights;
using MoeTune.Engine.Tests.Support;

namespace MoeTune.Engine.Tests.Validation;

/// <summary>
/// The plugin contract's types refuse what no backend could run, with a message that names the field: shapes (top-k
/// above E, sizes a 4-bit format cannot block), weights of the wrong size, format or count, forward buffers of the
/// wrong length. Every backend and the tuner build on these checks.
/// </summary>
public sealed class ContractValidationTests
{
    [Theory]
    [InlineData(8, 9, 64, 32, WeightFormat.Bf16, "top-k 9 exceeds the expert count 8")]
    [InlineData(0, 1, 64, 32, WeightFormat.Bf16, "experts must be positive (got 0)")]
    [InlineData(8, 0, 64, 32, WeightFormat.Bf16, "top-k must be positive (got 0)")]
    [InlineData(8, 2, -64, 32, WeightFormat.Bf16, "hidden size must be positive (got -64)")]
    [InlineData(8, 2, 64, 0, WeightFormat.Bf16, "intermediate size must be positive (got 0)")]
    [InlineData(8, 2, 64, 40, WeightFormat.Mxfp4, "mxfp4 needs hidden (64) and intermediate (40) sizes divisible by its block size 32")]
    [InlineData(8, 2, 72, 32, WeightFormat.Nvfp4, "nvfp4 needs hidden (72) and intermediate (32) sizes divisible by its block size 16")]
    public void Impossible_shapes_are_refused(int experts, int topK, int hidden, int intermediate, WeightFormat format, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => new MoeShape(experts, topK, hidden, intermediate, Activation.SwiGlu, format));

        Assert.Equal("invalid MoE shape: " + expected, error.Message);
    }

    [Fact]
    public void A_matrix_with_too_few_data_bytes_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new QuantizedMatrix(WeightFormat.Bf16, 4, 8, new byte[63], [], 1f));

        Assert.Equal("bf16 [4, 8] needs 64 data bytes, got 63", error.Message);
    }

    [Fact]
    public void A_matrix_with_missing_block_scales_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new QuantizedMatrix(WeightFormat.Nvfp4, 4, 32, new byte[64], new byte[7], 1f));

        Assert.Equal("nvfp4 [4, 32] needs 8 scale bytes, got 7", error.Message);
    }

    [Fact]
    public void A_non_finite_global_scale_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new QuantizedMatrix(WeightFormat.Fp8, 2, 2, new byte[4], [], float.NaN));

        Assert.Contains("global scale must be finite", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Weights_with_another_expert_count_are_refused()
    {
        var experts = TinyWeights.Of().Experts;

        var error = Assert.Throws<ArgumentException>(() => new MoeWeights(TinyModel.Shape(), experts.Take(TinyModel.Experts - 1).ToArray()));

        Assert.Equal($"shape has {TinyModel.Experts} experts, weights have {TinyModel.Experts - 1}", error.Message);
    }

    [Fact]
    public void An_expert_with_swapped_matrices_is_refused_naming_it()
    {
        var experts = TinyWeights.Of().Experts.ToArray();
        experts[3] = experts[3] with { W13 = experts[3].W2 };

        var error = Assert.Throws<ArgumentException>(() => new MoeWeights(TinyModel.Shape(), experts));

        Assert.Equal($"expert 3 W13: expected bf16 [{2 * TinyModel.Intermediate}, {TinyModel.Hidden}], got bf16 [{TinyModel.Hidden}, {TinyModel.Intermediate}]", error.Message);
    }

    [Fact]
    public void Biases_where_the_activation_has_none_are_refused()
    {
        var experts = TinyWeights.Of().Experts.ToArray();
        experts[0] = experts[0] with { Bias13 = new float[2 * TinyModel.Intermediate], Bias2 = new float[TinyModel.Hidden] };

        var error = Assert.Throws<ArgumentException>(() => new MoeWeights(TinyModel.Shape(), experts));

        Assert.Equal("expert 0: swiglu takes no biases", error.Message);
    }

    [Fact]
    public void Forward_buffers_of_the_wrong_length_are_refused()
    {
        using var engine = new EngineHarness();
        using var device = engine.OpenCpu();
        using var tensors = device.AllocateTensors(TinyModel.Shape(), 2);

        var error = Assert.Throws<ArgumentException>(() => tensors.Write(new ushort[2 * TinyModel.Hidden], new int[3], new float[4]));

        Assert.Equal("topk_ids: expected 4 elements, got 3", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => device.AllocateTensors(TinyModel.Shape(), 0));
    }

    [Fact]
    public void A_tensor_check_names_the_tensor_and_each_mismatch()
    {
        var tensor = new TensorRef(64, DType.Bf16, 2, 3, MemoryLocation.Host);

        Assert.Equal("x: expected I32, got Bf16", Assert.Throws<ArgumentException>(() => tensor.Require("x", DType.I32, 2, 3, MemoryLocation.Host)).Message);
        Assert.Equal("x: expected shape [2, 4], got [2, 3]", Assert.Throws<ArgumentException>(() => tensor.Require("x", DType.Bf16, 2, 4, MemoryLocation.Host)).Message);
        Assert.Equal("x: expected Cuda memory, got Host", Assert.Throws<ArgumentException>(() => tensor.Require("x", DType.Bf16, 2, 3, MemoryLocation.Cuda)).Message);
        tensor.Require("x", DType.Bf16, 2, 3, MemoryLocation.Host);
    }
}
