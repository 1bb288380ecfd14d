using MoeTune.Cuda.Native;

namespace MoeTune.Cuda.Driver;

/// <summary>One kernel of a loaded <see cref="CudaModule"/>. Valid while its module is.</summary>
public sealed class CudaFunction
{
    private readonly nint function;

    internal CudaFunction(CudaModule module, nint function, string name)
    {
        Module = module;
        this.function = function;
        Name = name;
    }

    public CudaModule Module { get; }

    public string Name { get; }

    /// <summary>Register, local and shared memory use as the driver reports them.</summary>
    public KernelResources Resources => new(
        GetAttribute(FunctionAttribute.NumRegs),
        GetAttribute(FunctionAttribute.LocalSizeBytes),
        GetAttribute(FunctionAttribute.SharedSizeBytes),
        GetAttribute(FunctionAttribute.MaxThreadsPerBlock),
        GetAttribute(FunctionAttribute.MaxDynamicSharedSizeBytes),
        GetAttribute(FunctionAttribute.BinaryVersion));

    public int GetAttribute(FunctionAttribute attribute)
    {
        Module.Context.MakeCurrent();
        CudaErrors.Check(Interop.CudaDriver.cuFuncGetAttribute(out var value, attribute, Handle));
        return value;
    }

    /// <summary>Allows launches with up to <paramref name="bytes"/> of dynamic shared memory (needed above 48 KiB).</summary>
    public void SetMaxDynamicSharedMemory(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        Module.Context.MakeCurrent();
        CudaErrors.Check(Interop.CudaDriver.cuFuncSetAttribute(Handle, FunctionAttribute.MaxDynamicSharedSizeBytes, bytes));
    }

    public void Launch(in LaunchConfig config, CudaStream stream, KernelArguments? arguments)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Launch(config, stream.Handle, arguments);
    }

    /// <summary>
    /// Enqueues the kernel on a raw CUstream. The launch's own status is checked here; faults inside the kernel
    /// surface at the next synchronisation.
    /// </summary>
    public unsafe void Launch(in LaunchConfig config, nint stream, KernelArguments? arguments)
    {
        config.Validate();
        Module.Context.MakeCurrent();
        var count = arguments?.Count ?? 0;
        var pointers = stackalloc void*[Math.Max(1, count)];
        fixed (byte* data = arguments?.Data)
        {
            for (var i = 0; i < count; i++)
            {
                pointers[i] = data + arguments!.Offsets[i];
            }

            var parameters = count == 0 ? null : pointers;
            var result = config.Cluster is { } cluster
                ? LaunchWithCluster(config, cluster, stream, parameters)
                : Interop.CudaDriver.cuLaunchKernel(
                    Handle, (uint)config.Grid.X, (uint)config.Grid.Y, (uint)config.Grid.Z,
                    (uint)config.Block.X, (uint)config.Block.Y, (uint)config.Block.Z,
                    (uint)config.SharedMemoryBytes, stream, parameters, null);
            if (result != CuResult.Success)
            {
                throw new CudaException(
                    $"launching '{Name}' of module '{Module.Name}' with grid {config.Grid}, block {config.Block}, {config.SharedMemoryBytes} B shared failed",
                    CudaErrors.ToException(result, config.Cluster is null ? "cuLaunchKernel" : "cuLaunchKernelEx"));
            }
        }
    }

    private nint Handle
    {
        get
        {
            _ = Module.Handle; // throws once the module is disposed
            return function;
        }
    }

    private unsafe CuResult LaunchWithCluster(in LaunchConfig config, Dim3 cluster, nint stream, void** parameters)
    {
        var attribute = new LaunchAttributeNative
        {
            Id = LaunchAttributeNative.ClusterDimensionId,
            X = (uint)cluster.X,
            Y = (uint)cluster.Y,
            Z = (uint)cluster.Z,
        };
        var native = new LaunchConfigNative
        {
            GridX = (uint)config.Grid.X,
            GridY = (uint)config.Grid.Y,
            GridZ = (uint)config.Grid.Z,
            BlockX = (uint)config.Block.X,
            BlockY = (uint)config.Block.Y,
            BlockZ = (uint)config.Block.Z,
            SharedMemoryBytes = (uint)config.SharedMemoryBytes,
            Stream = stream,
            Attributes = &attribute,
            AttributeCount = 1,
        };
        return Interop.CudaDriver.cuLaunchKernelEx(&native, Handle, parameters, null);
    }
}
