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
        if (gate.GlobalScale.Equals(up.GlobalScale)) return Concatenate(gate, up);

        if (gate.Format is not (WeightFormat.Nvfp4 or WeightFormat.Fp8))
        {
            throw new InvalidOperationException($"{gate.Format.ToName()} matrices have no global scale, yet gate and up differ");
        }

        // Move the up half onto the gate's scale, else the gate half onto the up's.
        if (TryMove(up, gate.GlobalScale, out var movedUp, out var upFailure)) return Concatenate(gate, movedUp);
        if (TryMove(gate, up.GlobalScale, out var movedGate, out var gateFailure)) return Concatenate(movedGate, up);

        var (what, scaleTensor) = gate.Format == WeightFormat.Nvfp4 ? ("block scales", "weight_scale_2") : ("elements", "weight_scale");
        var detail = CheckpointTensors.Invariant(
            $"{up.GlobalScale:R} vs {gate.GlobalScale:R}; first inexact E4M3 codes: up 0x{CodesOf(up)[upFailure]:X2} at {upFailure}, gate 0x{CodesOf(gate)[gateFailure]:X2} at {gateFailure}");
        throw tensors.Error(
            $"{upModule}.{scaleTensor}",
            $"differs from '{gateModule}.{scaleTensor}' ({detail}), and neither half's {what} can be re-expressed exactly under the "
            + "other's scale. MoeTune's W13 has one global scale and is never requantised; use a checkpoint whose gate and up "
            + "share one scale (ModelOpt ties them for MoE experts)");
    }

    /// <summary>The E4M3 numbers the global scale multiplies: NVFP4's block scales, FP8's elements.</summary>
    private static byte[] CodesOf(QuantizedMatrix matrix) => matrix.Format == WeightFormat.Nvfp4 ? matrix.Scales : matrix.Data;

    /// <summary><paramref name="matrix"/> with the same values under <paramref name="globalScale"/>, where that is exact.</summary>
    private static bool TryMove(QuantizedMatrix matrix, float globalScale, out QuantizedMatrix moved, out int failure)
    {
        var codes = new byte[CodesOf(matrix).Length];
        failure = E4M3Rescaling.TryRescale(CodesOf(matrix), matrix.GlobalScale, globalScale, codes);
        moved = matrix.Format == WeightFormat.Nvfp4
            ? new QuantizedMatrix(matrix.Format, matrix.Rows, matrix.Cols, matrix.Data, codes, globalScale)
            : new QuantizedMatrix(matrix.Format, matrix.Rows, matrix.Cols, codes, matrix.Scales, globalScale);
        return failure < 0;
    }

    private static QuantizedMatrix Concatenate(QuantizedMatrix gate, QuantizedMatrix up) => new(
        gate.Format,
        gate.Rows + up.Rows,
        gate.Cols,
        [.. gate.Data, .. up.Data],
        [.. gate.Scales, .. up.Scales],
        gate.GlobalScale);
}
