using MoeTune.Cuda.Native;

namespace MoeTune.Cuda.Driver;

/// <summary>
/// A retained primary context of one device. MoeTune's driver objects are created on a context and make it current
/// on the calling thread before each call that needs one (<see cref="MakeCurrent"/>; cheap when it already is).
/// Code that is handed "the current context" (a plugin's Prepare) reads <see cref="Current"/>.
/// MoeTune assumes it is the only user of the driver's current-context state on its threads.
/// </summary>
public sealed class CudaContext : IDisposable
{
    [ThreadStatic]
    private static CudaContext? current;

    private CudaContext(CudaDevice device, PrimaryContextHandle handle)
    {
        Device = device;
        Handle = handle;
    }

    public CudaDevice Device { get; }

    /// <summary>The context made current on this thread through <see cref="MakeCurrent"/>.</summary>
    public static CudaContext Current => current is { Handle.IsClosed: false } context
        ? context
        : throw new InvalidOperationException("no MoeTune CUDA context is current on this thread: call CudaContext.MakeCurrent() first");

    /// <summary>The raw CUcontext.</summary>
    public nint NativeHandle => Live.DangerousGetHandle();

    internal PrimaryContextHandle Handle { get; }

    private PrimaryContextHandle Live
    {
        get
        {
            ObjectDisposedException.ThrowIf(Handle.IsClosed, this);
            return Handle;
        }
    }

    /// <summary>Retains <paramref name="device"/>'s primary context; dispose to release the retain.</summary>
    public static CudaContext RetainPrimary(CudaDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        CudaErrors.Check(Interop.CudaDriver.cuDevicePrimaryCtxRetain(out var context, device.Handle));
        return new CudaContext(device, new PrimaryContextHandle(context, device.Handle));
    }

    /// <summary>Makes this context current on the calling thread (a no-op when it already is).</summary>
    public void MakeCurrent()
    {
        var handle = Live.DangerousGetHandle();
        if (current is { } now && !now.Handle.IsClosed && now.Handle.DangerousGetHandle() == handle)
        {
            return;
        }

        CudaErrors.Check(Interop.CudaDriver.cuCtxSetCurrent(handle));
        current = this;
    }

    /// <summary>Waits for all work on this context; the place asynchronous kernel faults surface.</summary>
    public void Synchronize()
    {
        MakeCurrent();
        CudaErrors.Check(Interop.CudaDriver.cuCtxSynchronize());
    }

    /// <summary>Free and total device memory in bytes, as the driver sees them now.</summary>
    public (long Free, long Total) GetMemoryInfo()
    {
        MakeCurrent();
        CudaErrors.Check(Interop.CudaDriver.cuMemGetInfo_v2(out var free, out var total));
        return ((long)free, (long)total);
    }

    /// <summary>Releases this retain once every object created on it is disposed.</summary>
    public void Dispose()
    {
        if (ReferenceEquals(current, this))
        {
            current = null;
        }

        Handle.Dispose();
    }
}
