using MoeTune.Abstractions.Problems;
using MoeTune.Cuda.Compilation;
using MoeTune.Cuda.Driver;
using MoeTune.Plugins.Marlin.KernelInterface;
using MoeTune.Plugins.Marlin.Planning;

namespace MoeTune.Plugins.Marlin.Runtime;

/// <summary>Marlin's two modules loaded on one context, and their kernels ready to launch.</summary>
internal sealed class MarlinModules : IDisposable
{
    private readonly CudaModule decode;
    private readonly CudaModule prefill;
    private readonly CudaFunction[][] decodeKernels;  // [format code][column tiles - 1]

    private MarlinModules(CudaModule decode, CudaModule prefill)
    {
        this.decode = decode;
        this.prefill = prefill;
        decodeKernels =
        [
            [decode.GetFunction(KernelNames.DecodeNvfp4OneTile), decode.GetFunction(KernelNames.DecodeNvfp4TwoTiles)],
            [decode.GetFunction(KernelNames.DecodeMxfp4OneTile), decode.GetFunction(KernelNames.DecodeMxfp4TwoTiles)],
        ];
        Route = prefill.GetFunction(KernelNames.PrefillRoute);
        Gemm13 = prefill.GetFunction(KernelNames.PrefillGemm13);
        Gemm2 = prefill.GetFunction(KernelNames.PrefillGemm2);
        Reduce = prefill.GetFunction(KernelNames.PrefillReduce);
        foreach (var kernels in decodeKernels)
        {
            for (var tiles = 1; tiles <= kernels.Length; tiles++)
            {
                kernels[tiles - 1].SetMaxDynamicSharedMemory(KernelLimits.DecodeSharedBytes(tiles));
            }
        }
    }

    public CudaFunction Route { get; }

    public CudaFunction Gemm13 { get; }

    public CudaFunction Gemm2 { get; }

    public CudaFunction Reduce { get; }

    /// <summary>Compiles (or fetches from the cache) both builds for <paramref name="context"/>'s device and loads them.</summary>
    public static MarlinModules Load(KernelCompiler compiler, CudaContext context)
    {
        ArgumentNullException.ThrowIfNull(compiler);
        var decode = compiler.Load(MarlinKernelSources.Decode, context);
        try
        {
            var prefill = compiler.Load(MarlinKernelSources.Prefill, context);
            try
            {
                return new MarlinModules(decode, prefill);
            }
            catch
            {
                prefill.Dispose();
                throw;
            }
        }
        catch
        {
            decode.Dispose();
            throw;
        }
    }

    /// <summary>The decode kernel for weights in <paramref name="format"/> and <paramref name="columnTiles"/> n-tiles of 8 pairs (1 or 2).</summary>
    public CudaFunction Decode(WeightFormat format, int columnTiles)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columnTiles, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(columnTiles, 2);
        return decodeKernels[KernelCodes.Format(format)][columnTiles - 1];
    }

    public void Dispose()
    {
        prefill.Dispose();
        decode.Dispose();
    }
}
