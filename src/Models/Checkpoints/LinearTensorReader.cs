using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;
using MoeTune.Models.Safetensors;

namespace MoeTune.Models.Checkpoints;

/// <summary>
/// Reads one [N, K] linear layer stored as its own tensors (<c>&lt;module&gt;.weight</c> and its scales) into a
/// <see cref="QuantizedMatrix"/>, in the format the model spec names:
/// <list type="bullet">
/// <item>BF16: <c>weight</c> BF16 [N, K] (F16/F32 are rounded to BF16, nearest even).</item>
/// <item>FP8: <c>weight</c> F8_E4M3 [N, K] and a scalar FP32 <c>weight_scale</c>. DeepSeek-style 128×128 block
/// scales (<c>weight_scale_inv</c>) are rejected: MoeTune's FP8 has one scale per matrix.</item>
/// <item>NVFP4 (ModelOpt): <c>weight</c> U8 [N, K/2], <c>weight_scale</c> F8_E4M3 [N, K/16], scalar FP32
/// <c>weight_scale_2</c>. The activation scale <c>input_scale</c> is not read: MoeTune's activations are BF16.</item>
/// </list>
/// </summary>
internal static class LinearTensorReader
{
    public static QuantizedMatrix Read(CheckpointTensors tensors, string module, WeightFormat format, Dim rows, Dim cols)
    {
        var n = (int)rows.Size;
        var k = (int)cols.Size;
        switch (format)
        {
            case WeightFormat.Bf16:
            {
                var weight = tensors.Require($"{module}.weight", [rows, cols], SafetensorsDType.BF16, SafetensorsDType.F16, SafetensorsDType.F32);
                return new QuantizedMatrix(format, n, k, tensors.ReadBf16(weight, 0, checked(n * k)), [], 1f);
            }

            case WeightFormat.Fp8:
            {
                var blockScales = $"{module}.weight_scale_inv";
                if (tensors.Contains(blockScales))
                {
                    throw tensors.Error(blockScales, "not supported: block-scaled FP8 (DeepSeek-style weight_scale_inv); MoeTune's FP8 has one scale per matrix");
                }

                var weight = tensors.Require($"{module}.weight", [rows, cols], SafetensorsDType.F8E4M3);
                var scale = tensors.RequireScalar($"{module}.weight_scale");
                return new QuantizedMatrix(format, n, k, tensors.ReadRows(weight, 0, n, k), [], scale);
            }

            case WeightFormat.Nvfp4:
            {
                var weight = tensors.Require($"{module}.weight", [rows, new Dim(k / 2, $"{cols.Source} / 2, two E2M1 per byte")], SafetensorsDType.U8);
                var scales = tensors.Require(
                    $"{module}.weight_scale",
                    [rows, new Dim(k / 16, $"{cols.Source} / 16, one E4M3 scale per 16")],
                    SafetensorsDType.F8E4M3);
                var global = tensors.RequireScalar($"{module}.weight_scale_2");
                return new QuantizedMatrix(format, n, k, tensors.ReadRows(weight, 0, n, k / 2), tensors.ReadRows(scales, 0, n, k / 16), global);
            }

            case WeightFormat.Mxfp4:
                throw tensors.Error(
                    $"{module}.weight",
                    "not supported: MXFP4 experts stored one tensor per expert; MoeTune reads MXFP4 from gpt-oss's fused *_blocks/*_scales tensors");

            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "unknown weight format");
        }
    }
}
