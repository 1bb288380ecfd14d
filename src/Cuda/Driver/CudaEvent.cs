using MoeTune.Cuda.Native;

namespace MoeTune.Cuda.Driver;

/// <summary>A CUDA event: a marker in a stream, for ordering and for GPU-side timing.</summary>
public sealed class CudaEvent : ContextBoundObject
{
    private const uint DisableTimingFlag = 2;

    /// <summary>The driver version from which cuEventElapsedTime_v2 exists (12.8).</summary>
    private const int ElapsedTimeV2Version = 12080;

    private CudaEvent(CudaContext context, EventHandle handle)
        : base(context, handle)
    {
    }

    /// <summary>The raw CUevent.</summary>
    public nint Handle => NativeHandle;

    /// <summary>Creates an event; <paramref name="timing"/> false makes it cheaper where it only orders work.</summary>
    public static CudaEvent Create(CudaContext context, bool timing = true)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.MakeCurrent();
        CudaErrors.Check(Interop.CudaDriver.cuEventCreate(out var evt, timing ? 0 : DisableTimingFlag));
        return new CudaEvent(context, new EventHandle(context.Handle, evt));
    }

    public void Record(CudaStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Record(stream.Handle);
    }

    /// <summary>Records on a raw CUstream (0: the legacy default stream).</summary>
    public void Record(nint stream)
    {
        Context.MakeCurrent();
        CudaErrors.Check(Interop.CudaDriver.cuEventRecord(Handle, stream));
    }

    public void Synchronize()
    {
        Context.MakeCurrent();
        CudaErrors.Check(Interop.CudaDriver.cuEventSynchronize(Handle));
    }

    public bool IsComplete
    {
        get
        {
            Context.MakeCurrent();
            var result = Interop.CudaDriver.cuEventQuery(Handle);
            if (result == CuResult.NotReady)
            {
                return false;
            }

            CudaErrors.Check(result, "cuEventQuery");
            return true;
        }
    }

    /// <summary>GPU time between two recorded, completed events, in milliseconds (about 0.5 µs resolution).</summary>
    public static float ElapsedMilliseconds(CudaEvent start, CudaEvent end)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(end);
        start.Context.MakeCurrent();
        float ms;
        if (CudaRuntime.DriverVersion >= ElapsedTimeV2Version)
        {
            CudaErrors.Check(Interop.CudaDriver.cuEventElapsedTime_v2(out ms, start.Handle, end.Handle));
        }
        else
        {
            CudaErrors.Check(Interop.CudaDriver.cuEventElapsedTime(out ms, start.Handle, end.Handle));
        }

        return ms;
    }
}
