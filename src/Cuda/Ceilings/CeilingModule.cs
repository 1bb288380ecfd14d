using MoeTune.Cuda.Compilation;
using MoeTune.Cuda.Driver;

namespace MoeTune.Cuda.Ceilings;

/// <summary>
/// <see cref="CeilingKernels"/> loaded on one context: enqueues the read sweep and the operand fills. Every launch is
/// asynchronous on the given stream and capturable.
/// </summary>
public sealed class CeilingModule : IDisposable
{
    private const int Threads = 256;

    /// <summary>Resident blocks per SM the launches ask for: 8 × 256 threads fill an SM of Ampere or Hopper.</summary>
    private const int BlocksPerMultiprocessor = 8;

    /// <summary>The fold value that triggers the sweep's only store; see ceilings.cu.</summary>
    private const uint NeverFold = 0x6d6f6574;

    private readonly CudaModule module;
    private readonly CudaFunction read;
    private readonly CudaFunction fillBf16;
    private readonly CudaFunction fillE4m3;
    private readonly DeviceBuffer sink;
    private readonly int grid;

    private CeilingModule(CudaModule module, DeviceBuffer sink, int multiprocessors)
    {
        this.module = module;
        this.sink = sink;
        read = module.GetFunction(CeilingKernels.ReadKernel);
        fillBf16 = module.GetFunction(CeilingKernels.FillBf16Kernel);
        fillE4m3 = module.GetFunction(CeilingKernels.FillE4m3Kernel);
        grid = multiprocessors * BlocksPerMultiprocessor;
    }

    public static CeilingModule Load(KernelCompiler compiler, CudaContext context)
    {
        ArgumentNullException.ThrowIfNull(compiler);
        ArgumentNullException.ThrowIfNull(context);
        var module = compiler.Load(CeilingKernels.Build, context);
        try
        {
            return new CeilingModule(module, DeviceBuffer.Allocate<uint>(context, 1), context.Device.MultiprocessorCount);
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    /// <summary>Enqueues one read of every byte of <paramref name="buffer"/> (its size must be a multiple of 16 bytes).</summary>
    public void Read(DeviceBuffer buffer, nint stream)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (buffer.Bytes % 16 != 0)
        {
            throw new ArgumentException($"the read sweep loads 16-byte vectors; a {buffer.Bytes}-byte buffer is not a whole number of them", nameof(buffer));
        }

        var arguments = new KernelArguments().Add(buffer.Address).Add(buffer.Bytes / 16).Add(NeverFold).Add(sink.Address);
        read.Launch(new LaunchConfig(grid, Threads), stream, arguments);
    }

    /// <summary>Fills <paramref name="count"/> bf16 values at <paramref name="address"/> with seeded values of magnitude in [1/64, 1).</summary>
    public void FillBf16(nint address, long count, uint seed, nint stream) => Fill(fillBf16, address, count, seed, stream);

    /// <summary>Fills <paramref name="count"/> FP8 E4M3 codes at <paramref name="address"/> with seeded values of magnitude in [1/8, 7.5].</summary>
    public void FillE4m3(nint address, long count, uint seed, nint stream) => Fill(fillE4m3, address, count, seed, stream);

    public void Dispose()
    {
        sink.Dispose();
        module.Dispose();
    }

    private void Fill(CudaFunction kernel, nint address, long count, uint seed, nint stream)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        kernel.Launch(new LaunchConfig(grid, Threads), stream, new KernelArguments().Add(address).Add(count).Add(seed));
    }
}
