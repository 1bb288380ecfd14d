using System.Diagnostics.CodeAnalysis;
using MoeTune.Cuda.Native;

namespace MoeTune.Cuda.Driver;

/// <summary>A CUDA stream; by default non-blocking, so that it never waits on the legacy null stream.</summary>
[SuppressMessage("Naming", "CA1711", Justification = "A CUDA stream (CUstream), not a System.IO.Stream; the name is CUDA's.")]
public sealed class CudaStream : ContextBoundObject
{
    private const uint NonBlockingFlag = 1;
    private CudaStream(CudaContext context, StreamHandle handle)
        : base(context, handle)
    {
    }

    /// <summary>The raw CUstream, as <see cref="Abstractions.Backends.MoeForwardArgs.Stream"/> carries it.</summary>
    public nint Handle => NativeHandle;

    public static CudaStream Create(CudaContext context, bool nonBlocking = true)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.MakeCurrent();
        CudaErrors.Check(Interop.CudaDriver.cuStreamCreate(out var stream, nonBlocking ? NonBlockingFlag : 0));
        return new CudaStream(context, new StreamHandle(context.Handle, stream));
    }

    /// <summary>Waits for all work queued so far; asynchronous kernel faults surface here.</summary>
    public void Synchronize()
    {
        Context.MakeCurrent();
        CudaErrors.Check(Interop.CudaDriver.cuStreamSynchronize(Handle));
    }

    /// <summary>True when all queued work has finished.</summary>
    public bool IsIdle
    {
        get
        {
            Context.MakeCurrent();
            var result = Interop.CudaDriver.cuStreamQuery(Handle);
            if (result == CuResult.NotReady)
            {
                return false;
            }

            CudaErrors.Check(result, "cuStreamQuery");
            return true;
        }
    }

    /// <summary>Makes later work on this stream wait until <paramref name="evt"/> has completed.</summary>
    public void Wait(CudaEvent evt)
    {
        ArgumentNullException.ThrowIfNull(evt);
        Context.MakeCurrent();
        CudaErrors.Check(Interop.CudaDriver.cuStreamWaitEvent(Handle, evt.Handle, 0));
    }

    /// <summary>
    /// Starts recording this stream's work into a graph instead of running it. Prefer <see cref="CudaGraph.Capture"/>,
    /// which always ends the capture.
    /// </summary>
    public void BeginCapture(StreamCaptureMode mode = StreamCaptureMode.ThreadLocal)
    {
        Context.MakeCurrent();
        CudaErrors.Check(Interop.CudaDriver.cuStreamBeginCapture_v2(Handle, mode));
    }

    /// <summary>Ends a capture and returns the recorded graph.</summary>
    public CudaGraph EndCapture()
    {
        Context.MakeCurrent();
        CudaErrors.Check(Interop.CudaDriver.cuStreamEndCapture(Handle, out var graph));
        return new CudaGraph(Context, new GraphHandle(Context.Handle, graph));
    }
}
