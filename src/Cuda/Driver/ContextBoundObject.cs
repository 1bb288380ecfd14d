namespace MoeTune.Cuda.Driver;

/// <summary>
/// The shared shape of MoeTune's driver objects (buffers, streams, events, modules, graphs): the context they live in,
/// their native handle (throwing once disposed) and disposal. See <see cref="ContextBoundHandle"/> for why an
/// undisposed object is leaked rather than freed by the GC.
/// </summary>
public abstract class ContextBoundObject : IDisposable
{
    private readonly ContextBoundHandle handle;

    private protected ContextBoundObject(CudaContext context, ContextBoundHandle handle)
    {
        Context = context;
        this.handle = handle;
    }

    public CudaContext Context { get; }

    /// <summary>The raw driver handle (a CUstream, CUevent, CUdeviceptr ...).</summary>
    protected nint NativeHandle
    {
        get
        {
            ObjectDisposedException.ThrowIf(handle.IsClosed, this);
            return handle.DangerousGetHandle();
        }
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            handle.Dispose();
        }
    }
}
