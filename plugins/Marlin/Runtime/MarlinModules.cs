using MoeTune.Abstractions.Problems;
using MoeTune.Cuda.Compilation;
using MoeTune.Cuda.Driver;
using MoeTune.Plugins.Marlin.KernelInterface;
using MoeTune.Plugins.Marlin.Planning;

namespace MoeTune.Plugins.Marlin.Runtime;

/// <summary>Marlin's decode module (of one pipeline) and prefill module loaded on one context, and their kernels ready to launch.</summary>
internal sealed class MarlinModules : IDisposable
{
    private readonly CudaModule decode;
    private readonly CudaModule prefill;
    private readonly CudaFunction[][] decodeKernels;  // [format code][column tiles - 1]

    private MarlinModules(CudaModule decode, CudaModule prefill, DecodeLaunch launch)
    {
        this.decode = decode;
        this.prefill = prefill;
        DecodeLaunch = launch;
        decodeKernels = KernelNames.Decode(launch.Pipeline)
            .Select(names => names.Select(decode.GetFunction).ToArray())
            .ToArray();
        Route = prefill.GetFunction(KernelNames.PrefillRoute);
        Gemm13 = prefill.GetFunction(KernelNames.PrefillGemm13);
        Gemm2 = prefill.GetFunction(KernelNames.PrefillGemm2);
        Reduce = prefill.GetFunction(KernelNames.PrefillReduce);
        foreach (var kernels in decodeKernels)
        {
            for (var tiles = 1; tiles <= kernels.Length; tiles++)
            {
                kernels[tiles - 1].SetMaxDynamicSharedMemory(launch.SharedBytes(tiles));
            }
        }
    }

    /// <summary>How the decode kernels are launched (pipeline, threads, shared memory).</summary>
    public DecodeLaunch DecodeLaunch { get; }

    public CudaFunction Route { get; }

    public CudaFunction Gemm13 { get; }

    public CudaFunction Gemm2 { get; }

    public CudaFunction Reduce { get; }

    /// <summary>
    /// Compiles (or fetches from the cache) the decode build of <paramref name="launch"/>'s pipeline, with
    /// <paramref name="decodeDefines"/> added, and the prefill build for <paramref name="context"/>'s device and loads them.
    /// </summary>
    public static MarlinModules Load(KernelCompiler compiler, CudaContext context, DecodeLaunch launch, IReadOnlyDictionary<string, string> decodeDefines)
    {
        ArgumentNullException.ThrowIfNull(compiler);
        ArgumentNullException.ThrowIfNull(launch);
        var decode = compiler.Load(MarlinKernelSources.DecodeOf(launch.Pipeline).WithDefines(decodeDefines), context);
        try
        {
            var prefill = compiler.Load(MarlinKernelSources.Prefill, context);
            try
            {
                return new MarlinModules(decode, prefill, launch);
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
