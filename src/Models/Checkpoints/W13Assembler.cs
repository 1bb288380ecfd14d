using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;
using MoeTune.Models.Numerics;

namespace MoeTune.Models.Checkpoints;

/// <summary>
/// Stacks an expert's gate [I, H] and up [I, H] matrices into MoeTune's W13 [2I, H] (gate rows first). W13 has one
/// global scale, while checkpoints scale gate and up separately (ModelOpt's <c>weight_scale_2</c> for NVFP4,
/// <c>weight_scale</c> for FP8). Recent ModelOpt exports tie the two (it syncs the gate/up amax of MoE experts), so
/// they are usually equal. Where they differ, one half is re-expressed under the other's global scale only if every
/// one of its E4M3 numbers (NVFP4 block scales, FP8 elements) has an exact counterpart — typically when the ratio is
/// a power of two that keeps them in range. Nothing is ever requantised: otherwise this is an error.
/// </summary>
internal static class W13Assembler
{
    public static QuantizedMatrix Stack(CheckpointTensors tensors, QuantizedMatrix gate, string gateModule, QuantizedMatrix up, string upModule)
    {
        if (gate.GlobalScale.Equals(up.GlobalScale)) return Concatenate(gate, up.Data, up.Scales, gate.GlobalScale);

        var (what, scaleTensor) = gate.Format switch
        {
            WeightFormat.Nvfp4 => ("block scales", "weight_scale_2"),
            WeightFormat.Fp8 => ("elements", "weight_scale"),
            _ => throw new InvalidOperationException($"{gate.Format.ToName()} matrices have no global scale, yet gate and up differ"),
        };

        // Try to move the up half onto the gate's scale, then the gate half onto the up's.
        var upCodes = gate.Format == WeightFormat.Nvfp4 ? up.Scales : up.Data;
        var gateCodes = gate.Format == WeightFormat.Nvfp4 ? gate.Scales : gate.Data;
        var upRescaled = new byte[upCodes.Length];
        var upFailure = E4M3Rescaling.TryRescale(upCodes, up.GlobalScale, gate.GlobalScale, upRescaled);
        if (upFailure < 0)
        {
            return gate.Format == WeightFormat.Nvfp4
                ? Concatenate(gate, up.Data, upRescaled, gate.GlobalScale)
                : Concatenate(gate, upRescaled, up.Scales, gate.GlobalScale);
        }

        var gateRescaled = new byte[gateCodes.Length];
        var gateFailure = E4M3Rescaling.TryRescale(gateCodes, gate.GlobalScale, up.GlobalScale, gateRescaled);
        if (gateFailure < 0)
        {
            var gateMatrix = gate.Format == WeightFormat.Nvfp4
                ? new QuantizedMatrix(gate.Format, gate.Rows, gate.Cols, gate.Data, gateRescaled, up.GlobalScale)
                : new QuantizedMatrix(gate.Format, gate.Rows, gate.Cols, gateRescaled, gate.Scales, up.GlobalScale);
            return Concatenate(gateMatrix, up.Data, up.Scales, up.GlobalScale);
        }

        var scales = CheckpointTensors.Invariant($"{up.GlobalScale:R} vs {gate.GlobalScale:R}");
        var failures = CheckpointTensors.Invariant(
            $"up: E4M3 code 0x{upCodes[upFailure]:X2} at {upFailure}; gate: 0x{gateCodes[gateFailure]:X2} at {gateFailure}");
        throw tensors.Error(
            $"{upModule}.{scaleTensor}",
            $"differs from '{gateModule}.{scaleTensor}' ({scales}), and neither half's {what} can be re-expressed exactly under the "
            + $"other's scale ({failures}). MoeTune's W13 has one global scale and is never requantised; use a checkpoint whose "
            + "gate and up share one scale (ModelOpt ties them for MoE experts)");
    }

    private static QuantizedMatrix Concatenate(QuantizedMatrix gate, byte[] upData, byte[] upScales, float globalScale) => new(
        gate.Format,
        2 * gate.Rows,
        gate.Cols,
        [.. gate.Data, .. upData],
        [.. gate.Scales, .. upScales],
        globalScale);
}
