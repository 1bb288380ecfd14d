using MoeTune.Abstractions.Tensors;
using MoeTune.Cuda.Native;

namespace MoeTune.Cuda.Driver;

/// <summary>
/// An owned device allocation (cuMemAlloc). Every copy and fill is checked against its size and runs with its
/// context current. Dispose it: a collected, undisposed buffer is leaked, not freed (<see cref="CudaLeaks"/>).
/// </summary>
public sealed class DeviceBuffer : ContextBoundObject
{
    private DeviceBuffer(CudaContext context, DeviceMemoryHandle handle, long bytes)
        : base(context, handle)
    {
        Bytes = bytes;
    }

    public long Bytes { get; }

    /// <summary>The device address (256-byte aligned, as cuMemAlloc guarantees).</summary>
    public nint Address => NativeHandle;

    /// <summary>Allocates <paramref name="bytes"/> (at least 1) on <paramref name="context"/>. Contents are undefined.</summary>
    public static DeviceBuffer Allocate(CudaContext context, long bytes)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        context.MakeCurrent();
        CudaErrors.Check(Interop.CudaDriver.cuMemAlloc_v2(out var pointer, (nuint)bytes));
        return new DeviceBuffer(context, new DeviceMemoryHandle(context.Handle, (nint)pointer), bytes);
    }

    /// <summary>Allocates room for <paramref name="count"/> elements of <typeparamref name="T"/>.</summary>
    public static unsafe DeviceBuffer Allocate<T>(CudaContext context, long count)
        where T : unmanaged => Allocate(context, checked(count * sizeof(T)));

    /// <summary>Allocates and uploads <paramref name="data"/>.</summary>
    public static DeviceBuffer FromHost<T>(CudaContext context, ReadOnlySpan<T> data)
        where T : unmanaged
    {
        var buffer = Allocate<T>(context, Math.Max(1, data.Length));
        buffer.Upload(data);
        return buffer;
    }

    public unsafe void Upload<T>(ReadOnlySpan<T> data, long byteOffset = 0)
        where T : unmanaged
    {
        DeviceMemory.CopyToDevice(Prepare(byteOffset, (long)data.Length * sizeof(T)), data);
    }

    public unsafe void UploadAsync<T>(ReadOnlySpan<T> data, CudaStream stream, long byteOffset = 0)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(stream);
        DeviceMemory.CopyToDeviceAsync(Prepare(byteOffset, (long)data.Length * sizeof(T)), data, stream.Handle);
    }

    public unsafe void Download<T>(Span<T> destination, long byteOffset = 0)
        where T : unmanaged
    {
        DeviceMemory.CopyToHost(destination, Prepare(byteOffset, (long)destination.Length * sizeof(T)));
    }

    /// <summary>The whole buffer as elements of <typeparamref name="T"/> (its size must be a multiple of T's).</summary>
    public unsafe T[] Download<T>()
        where T : unmanaged
    {
        if (Bytes % sizeof(T) != 0)
        {
            throw new InvalidOperationException($"a {Bytes}-byte buffer does not hold whole {typeof(T).Name} elements");
        }

        var result = new T[Bytes / sizeof(T)];
        Download<T>(result);
        return result;
    }

    public unsafe void DownloadAsync<T>(Span<T> destination, CudaStream stream, long byteOffset = 0)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(stream);
        DeviceMemory.CopyToHostAsync(destination, Prepare(byteOffset, (long)destination.Length * sizeof(T)), stream.Handle);
    }

    /// <summary>Copies all of <paramref name="source"/> to the start of this buffer.</summary>
    public void CopyFrom(DeviceBuffer source)
    {
        ArgumentNullException.ThrowIfNull(source);
        DeviceMemory.Copy(Prepare(0, source.Bytes), source.Address, source.Bytes);
    }

    /// <summary>Sets every byte.</summary>
    public void Fill(byte value) => DeviceMemory.Fill8(Prepare(0, Bytes), value, Bytes);

    /// <summary>Sets every 16-bit word, for example 0xFFFF (a bf16 NaN) to poison an output.</summary>
    public void Fill(ushort value) => DeviceMemory.Fill16(Prepare(0, Bytes), value, WholeWords(2));

    /// <summary>Sets every 32-bit word, for example 0x7FC00000 (an f32 NaN).</summary>
    public void Fill(uint value) => DeviceMemory.Fill32(Prepare(0, Bytes), value, WholeWords(4));

    /// <summary>Sets every byte, ordered on <paramref name="stream"/>.</summary>
    public void FillAsync(byte value, CudaStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        DeviceMemory.Fill8Async(Prepare(0, Bytes), value, Bytes, stream.Handle);
    }

    /// <summary>Sets every 16-bit word, ordered on <paramref name="stream"/>.</summary>
    public void FillAsync(ushort value, CudaStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        DeviceMemory.Fill16Async(Prepare(0, Bytes), value, WholeWords(2), stream.Handle);
    }

    /// <summary>Sets every 32-bit word, ordered on <paramref name="stream"/>.</summary>
    public void FillAsync(uint value, CudaStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        DeviceMemory.Fill32Async(Prepare(0, Bytes), value, WholeWords(4), stream.Handle);
    }

    /// <summary>A borrowed tensor view of the start of this buffer.</summary>
    public TensorRef AsTensor(DType type, int rows, int cols)
    {
        var view = new TensorRef(Address, type, rows, cols, MemoryLocation.Cuda);
        if (view.ByteCount > Bytes)
        {
            throw new ArgumentException($"a {type} [{rows}, {cols}] tensor needs {view.ByteCount} bytes; the buffer has {Bytes}");
        }

        return view;
    }

    private nint Prepare(long byteOffset, long byteCount)
    {
        if (byteOffset < 0 || byteCount < 0 || byteOffset + byteCount > Bytes)
        {
            throw new ArgumentOutOfRangeException(
                nameof(byteOffset), $"bytes [{byteOffset}, {byteOffset + byteCount}) fall outside the {Bytes}-byte buffer");
        }

        Context.MakeCurrent();
        return Address + (nint)byteOffset;
    }

    private long WholeWords(int size) => Bytes % size == 0
        ? Bytes / size
        : throw new InvalidOperationException($"a {Bytes}-byte buffer does not hold whole {size}-byte words");
}
