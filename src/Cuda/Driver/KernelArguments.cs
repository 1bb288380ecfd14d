using System.Runtime.CompilerServices;

namespace MoeTune.Cuda.Driver;

/// <summary>
/// A kernel's parameter list, in declaration order: each value is copied into one reusable buffer, and a launch
/// passes the driver a pointer to each (the <c>void**</c> of cuLaunchKernel). Reuse one instance with
/// <see cref="Clear"/> on hot paths: adding allocates only while the buffer grows.
/// </summary>
public sealed class KernelArguments
{
    private const int Alignment = 16;
    private byte[] data = new byte[256];
    private int[] offsets = new int[16];
    private int size;

    public int Count { get; private set; }

    internal byte[] Data => data;

    internal ReadOnlySpan<int> Offsets => offsets.AsSpan(0, Count);

    /// <summary>Appends one parameter: a scalar, a device pointer (<c>nint</c>), or a struct passed by value.</summary>
    public unsafe KernelArguments Add<T>(T value)
        where T : unmanaged
    {
        var offset = (size + Alignment - 1) / Alignment * Alignment;
        var end = offset + sizeof(T);
        if (end > data.Length)
        {
            Array.Resize(ref data, Math.Max(end, data.Length * 2));
        }

        if (Count == offsets.Length)
        {
            Array.Resize(ref offsets, offsets.Length * 2);
        }

        Unsafe.WriteUnaligned(ref data[offset], value);
        offsets[Count++] = offset;
        size = end;
        return this;
    }

    /// <summary>Forgets every parameter, keeping the buffers.</summary>
    public KernelArguments Clear()
    {
        Count = 0;
        size = 0;
        return this;
    }
}
