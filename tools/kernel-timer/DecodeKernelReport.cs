using MoeTune.Cuda.Compilation;
using MoeTune.Cuda.Driver;
using MoeTune.Cuda.Native;
using MoeTune.Plugins.Marlin.KernelInterface;
using MoeTune.Plugins.Marlin.Planning;

namespace MoeTune.Tools.KernelTimer;

/// <summary>
/// One line per decode kernel as this GPU loaded it: registers, local memory (spills) and the CTAs an SM holds, the
/// figures a timing is read against. The module comes from the same compiler cache the backend uses.
/// </summary>
internal static class DecodeKernelReport
{
    public static IEnumerable<string> Lines(KernelCompiler compiler, CudaContext context)
    {
        var device = context.Device;
        var sm = new SmResources(
            device.GetAttribute(DeviceAttribute.MaxRegistersPerMultiprocessor),
            device.GetAttribute(DeviceAttribute.MaxThreadsPerMultiprocessor),
            device.MaxSharedMemoryPerMultiprocessor);
        using var module = compiler.Load(MarlinKernelSources.Decode, context);
        foreach (var name in MarlinKernelSources.Decode.KernelNames)
        {
            var columnTiles = name.EndsWith("_nt1", StringComparison.Ordinal) ? 1 : 2;
            var resources = module.GetFunction(name).Resources;
            var ctas = Occupancy.ResidentCtas(sm, resources.Registers, KernelLimits.DecodeThreads, KernelLimits.DecodeSharedBytes(columnTiles));
            yield return $"- {name}: {resources.Registers} registers, {resources.LocalBytes} B local per thread, " +
                         $"{KernelLimits.DecodeSharedBytes(columnTiles)} B shared per CTA, {ctas} CTAs ({ctas * KernelLimits.DecodeWarps} warps) per SM";
        }
    }
}
