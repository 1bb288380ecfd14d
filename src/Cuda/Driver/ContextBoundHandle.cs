using Microsoft.Win32.SafeHandles;
using MoeTune.Cuda.Native;

namespace MoeTune.Cuda.Driver;

/// <summary>
/// A driver object that lives in one context. Explicit disposal releases it with its context pushed (so the
/// thread's current context is left as it was); a handle reached only by the finalizer is leaked and counted
/// (<see cref="CudaLeaks"/>), because the finalizer thread must not call the driver.
/// </summary>
internal abstract class ContextBoundHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private readonly PrimaryContextHandle context;
    private bool disposedExplicitly;

    protected ContextBoundHandle(PrimaryContextHandle context, nint value)
        : base(ownsHandle: true)
    {
        var added = false;
        context.DangerousAddRef(ref added);
        this.context = context;
        SetHandle(value);
    }

    /// <summary>What this is, for the leak count ("device memory").</summary>
    protected abstract string Kind { get; }

    protected abstract CuResult Release(nint value);

    protected override void Dispose(bool disposing)
    {
        disposedExplicitly |= disposing;
        base.Dispose(disposing);
    }

    protected sealed override bool ReleaseHandle()
    {
        if (!disposedExplicitly)
        {
            CudaLeaks.Record(Kind);
            return true;
        }

        try
        {
            var ctx = context.DangerousGetHandle();
            if (Interop.CudaDriver.cuCtxGetCurrent(out var current) == CuResult.Success && current == ctx)
            {
                return Release(handle) == CuResult.Success;
            }

            if (Interop.CudaDriver.cuCtxPushCurrent_v2(ctx) != CuResult.Success)
            {
                return false;
            }

            var result = Release(handle);
            Interop.CudaDriver.cuCtxPopCurrent_v2(out _);
            return result == CuResult.Success;
        }
        finally
        {
            context.DangerousRelease();
        }
    }
}

internal sealed class DeviceMemoryHandle(PrimaryContextHandle context, nint pointer) : ContextBoundHandle(context, pointer)
{
    protected override string Kind => "device memory";

    protected override CuResult Release(nint value) => Interop.CudaDriver.cuMemFree_v2((ulong)value);
}

internal sealed class StreamHandle(PrimaryContextHandle context, nint stream) : ContextBoundHandle(context, stream)
{
    protected override string Kind => "stream";

    protected override CuResult Release(nint value) => Interop.CudaDriver.cuStreamDestroy_v2(value);
}

internal sealed class EventHandle(PrimaryContextHandle context, nint evt) : ContextBoundHandle(context, evt)
{
    protected override string Kind => "event";

    protected override CuResult Release(nint value) => Interop.CudaDriver.cuEventDestroy_v2(value);
}

internal sealed class ModuleHandle(PrimaryContextHandle context, nint module) : ContextBoundHandle(context, module)
{
    protected override string Kind => "module";

    protected override CuResult Release(nint value) => Interop.CudaDriver.cuModuleUnload(value);
}

internal sealed class GraphHandle(PrimaryContextHandle context, nint graph) : ContextBoundHandle(context, graph)
{
    protected override string Kind => "graph";

    protected override CuResult Release(nint value) => Interop.CudaDriver.cuGraphDestroy(value);
}

internal sealed class GraphExecHandle(PrimaryContextHandle context, nint graphExec) : ContextBoundHandle(context, graphExec)
{
    protected override string Kind => "graph instance";

    protected override CuResult Release(nint value) => Interop.CudaDriver.cuGraphExecDestroy(value);
}
