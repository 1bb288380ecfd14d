using MoeTune.Abstractions.Problems;
using MoeTune.Cuda.Compilation;
using MoeTune.Cuda.Driver;
using MoeTune.Cuda.Native;
using MoeTune.Plugins.Marlin;
using MoeTune.Plugins.Marlin.KernelInterface;
using MoeTune.Plugins.Marlin.Layout;
using MoeTune.Plugins.Marlin.Planning;

namespace MoeTune.Tools.KernelTimer;

/// <summary>
/// One line per decode kernel of each pipeline this GPU runs, as the GPU loaded it: registers, local memory (spills),
/// shared memory and the CTAs an SM holds, the figures a timing is read against. The modules come from the same
/// compiler cache the backend uses.
/// </summary>
internal static class DecodeKernelReport
{
    public static IEnumerable<string> Lines(KernelCompiler compiler, CudaContext context, KernelVariant variant)
    {
        var device = context.Device;
        var sm = new SmResources(
            device.GetAttribute(DeviceAttribute.MaxRegistersPerMultiprocessor),
            device.GetAttribute(DeviceAttribute.MaxThreadsPerMultiprocessor),
            device.MaxSharedMemoryPerMultiprocessor);
        foreach (var pipeline in Enum.GetValues<DecodePipeline>())
        {
            var build = MarlinKernelSources.DecodeOf(pipeline).WithDefines(variant.Defines);
            if (!build.Requirement.TrySelectTarget(device.SmMajor, device.SmMinor, out _, out var reason))
            {
                yield return $"- {DecodePipelineChoice.Name(pipeline)} pipeline: not on this GPU ({reason})";
                continue;
            }

            using var module = compiler.Load(build, context);
            foreach (var name in KernelNames.Decode(pipeline).SelectMany(names => names))
            {
                var columnTiles = name.EndsWith("_nt1", StringComparison.Ordinal) ? 1 : 2;
                var recordBytes = FragmentLayout.RecordBytes(name.Contains("_nvfp4_", StringComparison.Ordinal) ? WeightFormat.Nvfp4 : WeightFormat.Mxfp4);
                var launch = DecodeLaunch.For(pipeline, sm, device.MaxSharedMemoryPerBlockOptin, recordBytes);
                var resources = module.GetFunction(name).Resources;
                var ctas = Occupancy.ResidentCtas(sm, resources.Registers, launch.Threads, launch.SharedBytes(columnTiles));
                var warps = launch.Threads / 32;
                var label = variant == KernelVariant.Plain ? name : $"{name} ({variant.Name})";
                yield return $"- {label}: {resources.Registers} registers, {resources.LocalBytes} B local per thread, " +
                             $"{launch.SharedBytes(columnTiles)} B shared per CTA, {ctas} CTAs ({ctas * warps} warps) per SM";
            }
        }
    }
}
