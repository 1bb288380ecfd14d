using MoeTune.Cuda.Native;

namespace MoeTune.Cuda.Driver;

/// <summary>A recorded CUDA graph (from stream capture); instantiate it to launch it.</summary>
public sealed class CudaGraph : ContextBoundObject
{
    internal CudaGraph(CudaContext context, GraphHandle handle)
        : base(context, handle)
    {
    }

    /// <summary>
    /// Records the work <paramref name="enqueue"/> puts on <paramref name="stream"/> into a graph. The capture is ended
    /// even when <paramref name="enqueue"/> throws (and the partial graph destroyed), so the stream is never left capturing.
    /// </summary>
    public static CudaGraph Capture(CudaStream stream, Action<CudaStream> enqueue, StreamCaptureMode mode = StreamCaptureMode.ThreadLocal)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(enqueue);
        stream.BeginCapture(mode);
        try
        {
            enqueue(stream);
        }
        catch
        {
            // End the capture so the stream is usable again; the failure that matters is the one being thrown.
            if (Interop.CudaDriver.cuStreamEndCapture(stream.Handle, out var partial) == CuResult.Success && partial != 0)
            {
                Interop.CudaDriver.cuGraphDestroy(partial);
            }

            throw;
        }

        return stream.EndCapture();
    }

    /// <summary>Builds the launchable form of this graph.</summary>
    public CudaGraphExec Instantiate()
    {
        var graph = NativeHandle;
        Context.MakeCurrent();
        CudaErrors.Check(Interop.CudaDriver.cuGraphInstantiateWithFlags(out var exec, graph, 0));
        return new CudaGraphExec(Context, new GraphExecHandle(Context.Handle, exec));
    }
}

/// <summary>An instantiated graph: one launch replays every captured kernel and copy.</summary>
public sealed class CudaGraphExec : ContextBoundObject
{
    internal CudaGraphExec(CudaContext context, GraphExecHandle handle)
        : base(context, handle)
    {
    }

    public void Launch(CudaStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Launch(stream.Handle);
    }

    public void Launch(nint stream)
    {
        var graphExec = NativeHandle;
        Context.MakeCurrent();
        CudaErrors.Check(Interop.CudaDriver.cuGraphLaunch(graphExec, stream));
    }
}
