using MoeTune.Cuda.Compilation;
using MoeTune.Cuda.Driver;
using MoeTune.Cuda.Native;
using MoeTune.Cuda.Primitives;

namespace MoeTune.Gpu.Tests.Infrastructure;

/// <summary>
/// Initialises CUDA once for the suite: the first device's primary context, a kernel compiler with the default disk
/// cache, and the primitives loaded on demand. Where there is no GPU (or no NVRTC), <see cref="Require"/> skips the
/// calling test with the reason, so nothing is ever counted as passed without running.
/// </summary>
public sealed class GpuFixture : IDisposable
{
    private readonly Lazy<TopKRouter> router;
    private readonly Lazy<ExpertAligner> aligner;
    private readonly Lazy<TopKReducer> reducer;
    private readonly Lazy<CudaModule> selfTest;

    public GpuFixture()
    {
        if (!CudaRuntime.TryGetDevices(out var devices, out var reason))
        {
            UnavailableReason = $"no GPU: {reason}";
        }
        else if (!NvrtcLibrary.TryLoad(out var nvrtcReason))
        {
            UnavailableReason = $"no NVRTC: {nvrtcReason}";
        }
        else
        {
            Device = devices[0];
            Context = Device.RetainPrimaryContext();
            Context.MakeCurrent();
            Compiler = KernelCompiler.CreateDefault();
        }

        router = new(() => TopKRouter.Load(Compiler!, Context!));
        aligner = new(() => ExpertAligner.Load(Compiler!, Context!));
        reducer = new(() => TopKReducer.Load(Compiler!, Context!));
        selfTest = new(() => Compiler!.Load(PrimitiveKernels.HeaderSelfTest, Context!));
    }

    /// <summary>Null when the GPU suite can run here.</summary>
    public string? UnavailableReason { get; }

    public CudaDevice? Device { get; }

    public CudaContext? Context { get; }

    public KernelCompiler? Compiler { get; }

    public TopKRouter Router => router.Value;

    public ExpertAligner Aligner => aligner.Value;

    public TopKReducer Reducer => reducer.Value;

    public CudaModule SelfTest => selfTest.Value;

    /// <summary>Skips the calling test where there is no GPU; otherwise makes the suite's context current on this thread.</summary>
    public CudaContext Require()
    {
        Assert.SkipWhen(UnavailableReason is not null, UnavailableReason ?? "");
        Context!.MakeCurrent();
        return Context;
    }

    public void Dispose()
    {
        if (Context is not null)
        {
            Console.WriteLine($"GPU suite done: {MemoryUse.Describe(Context)}");
        }

        foreach (var loaded in new IDisposable?[]
                 {
                     router.IsValueCreated ? router.Value : null,
                     aligner.IsValueCreated ? aligner.Value : null,
                     reducer.IsValueCreated ? reducer.Value : null,
                     selfTest.IsValueCreated ? selfTest.Value : null,
                 })
        {
            loaded?.Dispose();
        }

        Context?.Dispose();
    }
}
