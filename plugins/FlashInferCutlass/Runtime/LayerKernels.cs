using Microsoft.Extensions.Logging;
using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Cuda.Compilation;
using MoeTune.Cuda.Driver;
using MoeTune.Plugins.FlashInferCutlass.Kernels;

namespace MoeTune.Plugins.FlashInferCutlass.Runtime;

/// <summary>The five kernels one prepared layer launches, compiled for its device and loaded on its context.</summary>
internal sealed class LayerKernels : IDisposable
{
    /// <summary>A folder to write every loaded cubin to, for <c>cuobjdump -sass</c> (checking that the GEMM's main loop is HGMMA).</summary>
    public const string DumpVariable = "MOETUNE_DUMP_CUBIN";

    private readonly List<CudaModule> modules = [];

    private LayerKernels()
    {
    }

    public CudaFunction Route { get; private set; } = null!;

    public CudaFunction Gather { get; private set; } = null!;

    public CudaFunction Combine { get; private set; } = null!;

    public CudaFunction FirstGemm { get; private set; } = null!;

    public CudaFunction SecondGemm { get; private set; } = null!;

    public GemmVariant FirstVariant { get; private set; } = null!;

    public GemmVariant SecondVariant { get; private set; } = null!;

    public static LayerKernels Load(KernelCompiler compiler, CudaContext context, DeviceInfo device, MoeShape shape, ILogger logger)
    {
        var kernels = new LayerKernels();
        try
        {
            kernels.FirstVariant = GemmVariant.FirstGemm(shape.Activation, shape.Format);
            kernels.SecondVariant = GemmVariant.SecondGemm(shape.Format);
            kernels.Route = kernels.LoadOne(compiler, context, device, FlashInferCutlassKernels.Route, logger);
            kernels.Gather = kernels.LoadOne(compiler, context, device, FlashInferCutlassKernels.Gather, logger);
            kernels.Combine = kernels.LoadOne(compiler, context, device, FlashInferCutlassKernels.Combine, logger);
            kernels.FirstGemm = kernels.LoadOne(compiler, context, device, FlashInferCutlassKernels.Gemm(kernels.FirstVariant), logger);
            kernels.SecondGemm = kernels.LoadOne(compiler, context, device, FlashInferCutlassKernels.Gemm(kernels.SecondVariant), logger);
            kernels.FirstGemm.SetMaxDynamicSharedMemory(kernels.FirstVariant.SharedMemoryBytes);
            kernels.SecondGemm.SetMaxDynamicSharedMemory(kernels.SecondVariant.SharedMemoryBytes);
            return kernels;
        }
        catch
        {
            kernels.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var module in modules)
        {
            module.Dispose();
        }

        modules.Clear();
    }

    private CudaFunction LoadOne(KernelCompiler compiler, CudaContext context, DeviceInfo device, KernelBuild build, ILogger logger)
    {
        var compiled = compiler.Compile(build, device);
        DumpCubin(compiled, logger);
        var module = CudaModule.Load(context, compiled);
        modules.Add(module);
        return module.GetFunction(build.KernelNames.Single());
    }

    private static void DumpCubin(CompiledKernel compiled, ILogger logger)
    {
        var folder = Environment.GetEnvironmentVariable(DumpVariable);
        if (string.IsNullOrWhiteSpace(folder))
        {
            return;
        }

        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{compiled.Build.Name.Replace('/', '_')}.{compiled.Arch}.cubin");
        File.WriteAllBytes(path, compiled.Cubin);
        LayerLog.CubinWritten(logger, compiled.Build.Name, path);
    }
}
