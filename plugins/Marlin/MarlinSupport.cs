using System.Globalization;
using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Plugins.Marlin.Layout;
using MoeTune.Plugins.Marlin.Planning;

namespace MoeTune.Plugins.Marlin;

/// <summary>What Marlin can run, and why not where it cannot (DESIGN.md: every plugin says no with a reason).</summary>
public static class MarlinSupport
{
    /// <summary>mma.sync with bf16 operands and cp.async arrived with Ampere.</summary>
    public const int MinComputeCapability = 80;

    public static SupportDecision Check(DeviceInfo device, MoeShape problem)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(problem);
        if (device.Kind != DeviceKind.Cuda)
        {
            return SupportDecision.No($"Marlin runs on NVIDIA GPUs; {device} is not one");
        }

        if (device.ComputeCapability < MinComputeCapability)
        {
            return SupportDecision.No(
                $"Marlin needs compute capability 8.0 or newer (bf16 mma.sync, cp.async); {device.Name} is {device.Arch}");
        }

        var needed = KernelLimits.DecodeSharedBytes(2);
        if (device.MaxSharedMemoryPerBlockOptin > 0 && device.MaxSharedMemoryPerBlockOptin < needed)
        {
            return SupportDecision.No(string.Create(
                CultureInfo.InvariantCulture,
                $"Marlin's decode kernel needs {needed} bytes of shared memory per block; {device.Name} allows {device.MaxSharedMemoryPerBlockOptin}"));
        }

        var shape = ShapeProblem(problem);
        return shape is null ? SupportDecision.Yes : SupportDecision.No(shape);
    }

    /// <summary>Why Marlin's layout and kernels cannot hold <paramref name="shape"/>, or null when they can.</summary>
    public static string? ShapeProblem(MoeShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Format is not (WeightFormat.Nvfp4 or WeightFormat.Mxfp4))
        {
            return $"Marlin is a W4A16 backend: it runs NVFP4 or MXFP4 weights, not {shape.Format.ToName()}";
        }

        if (shape.Hidden % FragmentLayout.ChunkK != 0 || shape.Intermediate % FragmentLayout.ChunkK != 0)
        {
            return string.Create(
                CultureInfo.InvariantCulture,
                $"Marlin streams K in chunks of {FragmentLayout.ChunkK}: hidden size {shape.Hidden} and intermediate size {shape.Intermediate} must both be multiples of {FragmentLayout.ChunkK}");
        }

        if (shape.Experts > KernelLimits.DecodeMaxExperts)
        {
            return string.Create(
                CultureInfo.InvariantCulture,
                $"Marlin's routing holds at most {KernelLimits.DecodeMaxExperts} experts; the problem has {shape.Experts}");
        }

        return null;
    }
}
