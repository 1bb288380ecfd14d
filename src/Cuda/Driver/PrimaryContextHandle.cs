using Microsoft.Win32.SafeHandles;
using MoeTune.Cuda.Native;

namespace MoeTune.Cuda.Driver;

/// <summary>
/// One retain of a device's primary context. Objects created on the context (memory, streams, modules ...) add a
/// reference to this handle, so the retain is released only after the last of them. Released only from an explicit
/// Dispose; a finalized handle is leaked (see <see cref="CudaLeaks"/>).
/// </summary>
internal sealed class PrimaryContextHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private bool disposedExplicitly;

    public PrimaryContextHandle(nint context, int device)
        : base(ownsHandle: true)
    {
        Device = device;
        SetHandle(context);
    }

    public int Device { get; }

    protected override void Dispose(bool disposing)
    {
        disposedExplicitly |= disposing;
        base.Dispose(disposing);
    }

    protected override bool ReleaseHandle()
    {
        if (!disposedExplicitly)
        {
            CudaLeaks.Record("primary context retain");
            return true;
        }

        return Interop.CudaDriver.cuDevicePrimaryCtxRelease_v2(Device) == CuResult.Success;
    }
}
