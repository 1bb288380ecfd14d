using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using MoeTune.Cuda.Compilation;
using MoeTune.Cuda.Native;

namespace MoeTune.Cuda.Driver;

/// <summary>A loaded cubin on one context, and the kernels it exports (by their unmangled <c>extern "C"</c> names).</summary>
public sealed class CudaModule : ContextBoundObject
{
    private readonly ConcurrentDictionary<string, CudaFunction> functions = new(StringComparer.Ordinal);

    private CudaModule(CudaContext context, ModuleHandle handle, string name)
        : base(context, handle)
    {
        Name = name;
    }

    /// <summary>The compile unit this came from, for messages.</summary>
    public string Name { get; }

    internal nint Handle => NativeHandle;

    /// <summary>Loads a compiled kernel (see <see cref="KernelCompiler"/>) on <paramref name="context"/>.</summary>
    public static CudaModule Load(CudaContext context, CompiledKernel kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        return Load(context, kernel.Cubin, $"{kernel.Build.Name} ({kernel.Arch})");
    }

    /// <summary>Loads a cubin image on <paramref name="context"/>.</summary>
    public static unsafe CudaModule Load(CudaContext context, ReadOnlySpan<byte> cubin, string name)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (cubin.IsEmpty)
        {
            throw new ArgumentException($"module '{name}': empty cubin", nameof(cubin));
        }

        context.MakeCurrent();
        nint module;
        fixed (byte* image = cubin)
        {
            var result = Interop.CudaDriver.cuModuleLoadData(out module, image);
            if (result != CuResult.Success)
            {
                throw new CudaException($"loading module '{name}' failed", CudaErrors.ToException(result, "cuModuleLoadData"));
            }
        }

        return new CudaModule(context, new ModuleHandle(context.Handle, module), name);
    }

    /// <summary>The kernel named <paramref name="name"/>; throws naming the module when it has none.</summary>
    public CudaFunction GetFunction(string name) => functions.GetOrAdd(name, Lookup);

    private unsafe CudaFunction Lookup(string name)
    {
        Context.MakeCurrent();
        var utf8 = Utf8StringArray.Copy(name);
        try
        {
            var result = Interop.CudaDriver.cuModuleGetFunction(out var function, Handle, utf8);
            if (result != CuResult.Success)
            {
                throw new CudaException($"module '{Name}' has no kernel '{name}'", CudaErrors.ToException(result, "cuModuleGetFunction"));
            }

            return new CudaFunction(this, function, name);
        }
        finally
        {
            NativeMemory.Free(utf8);
        }
    }
}
