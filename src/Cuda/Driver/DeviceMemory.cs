using MoeTune.Cuda.Native;

namespace MoeTune.Cuda.Driver;

/// <summary>
/// Copies and fills on raw device addresses (a <see cref="Abstractions.Tensors.TensorRef"/>'s Address, a
/// <see cref="DeviceBuffer.Address"/>), on the context current on the calling thread.
/// <para>
/// The synchronous forms have finished on the device when they return. (The driver's own synchronous copies and
/// memsets do not promise that: a copy from pageable memory may still be in flight on the legacy stream, which a
/// non-blocking stream does not wait for. So they are issued on the legacy stream and that stream is synchronised.)
/// The asynchronous forms are ordered on <c>stream</c>; they take managed (pageable) host memory, which the driver
/// stages before returning, so the span may be reused at once.
/// </para>
/// </summary>
public static class DeviceMemory
{
    private const nint LegacyStream = 0;

    public static void CopyToDevice<T>(nint destination, ReadOnlySpan<T> source)
        where T : unmanaged
    {
        CopyToDeviceAsync(destination, source, LegacyStream);
        CompleteLegacyStream();
    }

    public static unsafe void CopyToDeviceAsync<T>(nint destination, ReadOnlySpan<T> source, nint stream)
        where T : unmanaged
    {
        fixed (T* p = source)
        {
            CudaErrors.Check(Interop.CudaDriver.cuMemcpyHtoDAsync_v2((ulong)destination, p, ByteCount(source.Length, sizeof(T)), stream));
        }
    }

    public static void CopyToHost<T>(Span<T> destination, nint source)
        where T : unmanaged
    {
        CopyToHostAsync(destination, source, LegacyStream);
        CompleteLegacyStream();
    }

    public static unsafe void CopyToHostAsync<T>(Span<T> destination, nint source, nint stream)
        where T : unmanaged
    {
        fixed (T* p = destination)
        {
            CudaErrors.Check(Interop.CudaDriver.cuMemcpyDtoHAsync_v2(p, (ulong)source, ByteCount(destination.Length, sizeof(T)), stream));
        }
    }

    public static void Copy(nint destination, nint source, long bytes)
    {
        CopyAsync(destination, source, bytes, LegacyStream);
        CompleteLegacyStream();
    }

    public static void CopyAsync(nint destination, nint source, long bytes, nint stream) =>
        CudaErrors.Check(Interop.CudaDriver.cuMemcpyDtoDAsync_v2((ulong)destination, (ulong)source, ByteCount(bytes, 1), stream));

    /// <summary>Sets <paramref name="count"/> bytes.</summary>
    public static void Fill8(nint destination, byte value, long count)
    {
        Fill8Async(destination, value, count, LegacyStream);
        CompleteLegacyStream();
    }

    /// <summary>Sets <paramref name="count"/> 16-bit words (bf16 poison: 0xFFFF); the address must be 2-byte aligned.</summary>
    public static void Fill16(nint destination, ushort value, long count)
    {
        Fill16Async(destination, value, count, LegacyStream);
        CompleteLegacyStream();
    }

    /// <summary>Sets <paramref name="count"/> 32-bit words (f32 NaN: 0x7FC00000); the address must be 4-byte aligned.</summary>
    public static void Fill32(nint destination, uint value, long count)
    {
        Fill32Async(destination, value, count, LegacyStream);
        CompleteLegacyStream();
    }

    public static void Fill8Async(nint destination, byte value, long count, nint stream) =>
        CudaErrors.Check(Interop.CudaDriver.cuMemsetD8Async((ulong)destination, value, ByteCount(count, 1), stream));

    public static void Fill16Async(nint destination, ushort value, long count, nint stream) =>
        CudaErrors.Check(Interop.CudaDriver.cuMemsetD16Async((ulong)destination, value, ByteCount(count, 1), stream));

    public static void Fill32Async(nint destination, uint value, long count, nint stream) =>
        CudaErrors.Check(Interop.CudaDriver.cuMemsetD32Async((ulong)destination, value, ByteCount(count, 1), stream));

    private static void CompleteLegacyStream() => CudaErrors.Check(Interop.CudaDriver.cuStreamSynchronize(LegacyStream));

    private static nuint ByteCount(long count, int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return checked((nuint)(count * size));
    }
}
