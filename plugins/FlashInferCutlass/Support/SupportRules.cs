using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Plugins.FlashInferCutlass.Kernels;
using MoeTune.Plugins.FlashInferCutlass.Layout;

namespace MoeTune.Plugins.FlashInferCutlass.Support;

/// <summary>What FlashInferCutlass can run, and why not otherwise: pure rules over the device and the problem.</summary>
public static class SupportRules
{
    /// <summary>The one compute capability served: the kernels use wgmma and setmaxnreg (sm_90a), with no mma.sync path.</summary>
    public const int RequiredCapability = 90;

    public static SupportDecision Check(DeviceInfo device, MoeShape problem)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(problem);
        if (device.Kind != DeviceKind.Cuda)
        {
            return SupportDecision.No($"runs on NVIDIA GPUs only; {device} is not one");
        }

        if (device.ComputeCapability != RequiredCapability)
        {
            return SupportDecision.No(
                $"needs a Hopper GPU (SM 9.0): its grouped GEMM is built on wgmma, bulk copies and setmaxnreg (sm_90a) and has no mma.sync path; {device.Name} is {device.Arch}");
        }

        if (problem.Format is not (WeightFormat.Bf16 or WeightFormat.Nvfp4))
        {
            return SupportDecision.No($"serves bf16 and NVFP4 weights, not {problem.Format.ToName()}");
        }

        if (problem.Activation is not (Activation.SwiGlu or Activation.ReluSquared))
        {
            return SupportDecision.No($"has no fused GEMM1 epilogue for {problem.Activation.ToName()} (SwiGLU and ReLU² only; gpt-oss's clamped SwiGLU with biases is not served)");
        }

        if (problem.Experts > TileGeometry.MaxExperts)
        {
            return SupportDecision.No($"routes at most {TileGeometry.MaxExperts} experts (one shared-memory counter each); the problem has {problem.Experts}");
        }

        if (problem.Hidden % 8 != 0 || problem.Intermediate % 8 != 0)
        {
            return SupportDecision.No($"needs hidden ({problem.Hidden}) and intermediate ({problem.Intermediate}) sizes that are multiples of 8 (16-byte rows)");
        }

        var pipeline = GemmPipeline.ForLayer(problem.Format);
        var geometry = new TileGeometry(problem, pipeline.LayoutFor(problem.Format));
        var largest = Math.Max(geometry.W13BytesPerExpert, geometry.W2BytesPerExpert);
        if (largest > int.MaxValue)
        {
            return SupportDecision.No($"one expert's tiled matrix would take {largest} bytes; at most {int.MaxValue} are handled");
        }

        var sharedMemory = Math.Max(
            GemmVariant.FirstGemm(problem.Activation, problem.Format, pipeline).SharedMemoryBytes,
            GemmVariant.SecondGemm(problem.Format, pipeline).SharedMemoryBytes);
        if (device.MaxSharedMemoryPerBlockOptin < sharedMemory)
        {
            return SupportDecision.No(
                $"its grouped GEMM needs {sharedMemory} bytes of shared memory per block; {device.Name} allows {device.MaxSharedMemoryPerBlockOptin}");
        }

        return SupportDecision.Yes;
    }
}
