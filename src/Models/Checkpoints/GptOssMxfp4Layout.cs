using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;
using MoeTune.Models.Safetensors;

namespace MoeTune.Models.Checkpoints;

/// <summary>
/// gpt-oss's MXFP4 experts (transformers' mxfp4 integration): <c>&lt;p&gt;.gate_up_proj_blocks</c> U8
/// [E, 2I, H/32, 16], <c>_scales</c> U8 [E, 2I, H/32] (E8M0), <c>_bias</c> [E, 2I]; <c>down_proj_blocks</c>
/// [E, H, I/32, 16], <c>_scales</c> [E, H, I/32], <c>_bias</c> [E, H]. Each row is already [out, in] with two E2M1
/// codes per byte, the even element in the low nibble, exactly MoeTune's MXFP4 layout. The 2I rows interleave gate
/// (even rows) and up (odd rows); they are de-interleaved into canonical order, gate rows first.
/// </summary>
internal sealed class GptOssMxfp4Layout : IExpertLayout
{
    private readonly CheckpointTensors _tensors;
    private readonly ModelSpec _spec;
    private readonly SafetensorsTensorInfo _gateUpBlocks;
    private readonly SafetensorsTensorInfo _gateUpScales;
    private readonly SafetensorsTensorInfo _gateUpBias;
    private readonly SafetensorsTensorInfo _downBlocks;
    private readonly SafetensorsTensorInfo _downScales;
    private readonly SafetensorsTensorInfo _downBias;

    public GptOssMxfp4Layout(CheckpointTensors tensors, ModelSpec spec, string prefix)
    {
        _tensors = tensors;
        _spec = spec;
        var shape = spec.Shape;
        var fields = spec.Fields;
        var experts = new Dim(shape.Experts, fields.Experts);
        var hidden = new Dim(shape.Hidden, fields.Hidden);
        var twoI = new Dim(2L * shape.Intermediate, $"2 × {fields.Intermediate}");
        var hiddenBlocks = new Dim(shape.Hidden / 32, $"{fields.Hidden} / 32");
        var intermediateBlocks = new Dim(shape.Intermediate / 32, $"{fields.Intermediate} / 32");
        var blockBytes = new Dim(16, "bytes per 32-element block");
        SafetensorsDType[] floats = [SafetensorsDType.BF16, SafetensorsDType.F16, SafetensorsDType.F32];
        SafetensorsDType[] scaleTypes = [SafetensorsDType.U8, SafetensorsDType.F8E8M0];
        _gateUpBlocks = tensors.Require($"{prefix}.gate_up_proj_blocks", [experts, twoI, hiddenBlocks, blockBytes], SafetensorsDType.U8);
        _gateUpScales = tensors.Require($"{prefix}.gate_up_proj_scales", [experts, twoI, hiddenBlocks], scaleTypes);
        _gateUpBias = tensors.Require($"{prefix}.gate_up_proj_bias", [experts, twoI], floats);
        _downBlocks = tensors.Require($"{prefix}.down_proj_blocks", [experts, hidden, intermediateBlocks, blockBytes], SafetensorsDType.U8);
        _downScales = tensors.Require($"{prefix}.down_proj_scales", [experts, hidden, intermediateBlocks], scaleTypes);
        _downBias = tensors.Require($"{prefix}.down_proj_bias", [experts, hidden], floats);
    }

    public ExpertWeights ReadExpert(int expert)
    {
        var h = _spec.Shape.Hidden;
        var i = _spec.Shape.Intermediate;
        var gateUpData = Deinterleave(_tensors.ReadRows(_gateUpBlocks, (long)expert * 2 * i, 2 * i, h / 2), i, h / 2);
        var gateUpScales = Deinterleave(_tensors.ReadRows(_gateUpScales, (long)expert * 2 * i, 2 * i, h / 32), i, h / 32);
        var bias = _tensors.ReadFloats(_gateUpBias, (long)expert * 2 * i, 2 * i);
        var bias13 = new float[2 * i];
        for (var r = 0; r < i; r++)
        {
            bias13[r] = bias[2 * r];
            bias13[i + r] = bias[(2 * r) + 1];
        }

        var w13 = new QuantizedMatrix(WeightFormat.Mxfp4, 2 * i, h, gateUpData, gateUpScales, 1f);
        var w2 = new QuantizedMatrix(
            WeightFormat.Mxfp4,
            h,
            i,
            _tensors.ReadRows(_downBlocks, (long)expert * h, h, i / 2),
            _tensors.ReadRows(_downScales, (long)expert * h, h, i / 32),
            1f);
        return new ExpertWeights(w13, w2, bias13, _tensors.ReadFloats(_downBias, (long)expert * h, h));
    }

    /// <summary>2I interleaved rows (gate, up, gate, up, …) of <paramref name="rowBytes"/> each → the I gate rows, then the I up rows.</summary>
    private static byte[] Deinterleave(byte[] rows, int intermediate, int rowBytes)
    {
        var result = new byte[rows.Length];
        for (var r = 0; r < intermediate; r++)
        {
            rows.AsSpan(2 * r * rowBytes, rowBytes).CopyTo(result.AsSpan(r * rowBytes));
            rows.AsSpan(((2 * r) + 1) * rowBytes, rowBytes).CopyTo(result.AsSpan((intermediate + r) * rowBytes));
        }

        return result;
    }
}
