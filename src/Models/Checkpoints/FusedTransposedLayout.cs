using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;
using MoeTune.Models.Safetensors;

namespace MoeTune.Models.Checkpoints;

/// <summary>How a fused gate/up tensor orders its 2I gate and up columns.</summary>
internal enum GateUpOrder
{
    /// <summary>Gate columns 0..I-1, then up columns I..2I-1 (Llama-4: <c>gate_up.chunk(2, dim=-1)</c>).</summary>
    Concatenated,

    /// <summary>Gate in the even columns, up in the odd ones (gpt-oss: <c>gate_up[..., ::2]</c>, <c>gate_up[..., 1::2]</c>).</summary>
    Interleaved,
}

/// <summary>
/// Unquantised experts fused into two tensors in the input-major orientation that <c>x @ W</c> uses: gate_up
/// [E, H, 2I] and down [E, I, H] (Llama-4's <c>feed_forward.experts.gate_up_proj</c>, gpt-oss BF16 checkpoints), with
/// optional biases [E, 2I] and [E, H]. Each expert is transposed into MoeTune's [out, in] layout and its gate/up
/// columns put in canonical order (gate rows first). BF16 only: block-scaled formats cannot be transposed exactly.
/// </summary>
internal sealed class FusedTransposedLayout : IExpertLayout
{
    private readonly CheckpointTensors _tensors;
    private readonly ModelSpec _spec;
    private readonly GateUpOrder _order;
    private readonly SafetensorsTensorInfo _gateUp;
    private readonly SafetensorsTensorInfo _down;
    private readonly SafetensorsTensorInfo? _gateUpBias;
    private readonly SafetensorsTensorInfo? _downBias;

    public FusedTransposedLayout(
        CheckpointTensors tensors, ModelSpec spec, string gateUp, string down, GateUpOrder order, string? gateUpBias = null, string? downBias = null)
    {
        _tensors = tensors;
        _spec = spec;
        _order = order;
        var shape = spec.Shape;
        var experts = new Dim(shape.Experts, spec.Fields.Experts);
        var hidden = new Dim(shape.Hidden, spec.Fields.Hidden);
        var intermediate = new Dim(shape.Intermediate, spec.Fields.Intermediate);
        var twoI = new Dim(2L * shape.Intermediate, $"2 × {spec.Fields.Intermediate}");
        SafetensorsDType[] floats = [SafetensorsDType.BF16, SafetensorsDType.F16, SafetensorsDType.F32];
        _gateUp = tensors.Require(gateUp, [experts, hidden, twoI], floats);
        _down = tensors.Require(down, [experts, intermediate, hidden], floats);
        _gateUpBias = gateUpBias is null ? null : tensors.Require(gateUpBias, [experts, twoI], floats);
        _downBias = downBias is null ? null : tensors.Require(downBias, [experts, hidden], floats);
        if (spec.Shape.Format != WeightFormat.Bf16)
        {
            throw tensors.Error(gateUp, $"holds unquantised fused experts, but the model spec's weight format is {spec.Shape.Format.ToName()}; read it as bf16");
        }
    }

    public ExpertWeights ReadExpert(int expert)
    {
        var h = _spec.Shape.Hidden;
        var i = _spec.Shape.Intermediate;
        var gateUp = _tensors.ReadBf16(_gateUp, (long)expert * h * 2 * i, checked(h * 2 * i));
        var down = _tensors.ReadBf16(_down, (long)expert * i * h, checked(i * h));
        var w13 = new QuantizedMatrix(WeightFormat.Bf16, 2 * i, h, Transpose(gateUp, h, 2 * i, SourceColumn), [], 1f);
        var w2 = new QuantizedMatrix(WeightFormat.Bf16, h, i, Transpose(down, i, h, c => c), [], 1f);
        float[]? bias13 = null;
        if (_gateUpBias is not null)
        {
            var stored = _tensors.ReadFloats(_gateUpBias, (long)expert * 2 * i, 2 * i);
            bias13 = new float[2 * i];
            for (var r = 0; r < 2 * i; r++) bias13[r] = stored[SourceColumn(r)];
        }

        var bias2 = _downBias is null ? null : _tensors.ReadFloats(_downBias, (long)expert * h, h);
        return new ExpertWeights(w13, w2, bias13, bias2);
    }

    /// <summary>The checkpoint column of canonical W13 row <paramref name="row"/>.</summary>
    private int SourceColumn(int row)
    {
        var i = _spec.Shape.Intermediate;
        return _order == GateUpOrder.Concatenated ? row : row < i ? 2 * row : (2 * (row - i)) + 1;
    }

    /// <summary>BF16 [rows, cols] → BF16 [cols, rows], output row r taken from input column <paramref name="sourceColumn"/>(r).</summary>
    private static byte[] Transpose(byte[] source, int rows, int cols, Func<int, int> sourceColumn)
    {
        var result = new byte[source.Length];
        for (var r = 0; r < cols; r++)
        {
            var column = sourceColumn(r);
            for (var c = 0; c < rows; c++)
            {
                var from = 2 * (((long)c * cols) + column);
                var to = 2 * (((long)r * rows) + c);
                result[to] = source[from];
                result[to + 1] = source[from + 1];
            }
        }

        return result;
    }
}
