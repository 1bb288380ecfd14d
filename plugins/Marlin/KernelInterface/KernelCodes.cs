using MoeTune.Abstractions.Problems;

namespace MoeTune.Plugins.Marlin.KernelInterface;

/// <summary>The integers the kernels take for format and activation (MARLIN_FORMAT_* and MARLIN_ACT_* in marlin_device.cuh).</summary>
public static class KernelCodes
{
    public static int Format(WeightFormat format) => format switch
    {
        WeightFormat.Nvfp4 => 0,
        WeightFormat.Mxfp4 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Marlin's kernels take NVFP4 or MXFP4 weights only"),
    };

    public static int Activation(Activation activation) => activation switch
    {
        Abstractions.Problems.Activation.SwiGlu => 0,
        Abstractions.Problems.Activation.ReluSquared => 1,
        Abstractions.Problems.Activation.ClampedSwiGlu => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation"),
    };
}
