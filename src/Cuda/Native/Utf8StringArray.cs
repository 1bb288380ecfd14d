using System.Runtime.InteropServices;
using System.Text;

namespace MoeTune.Cuda.Native;

/// <summary>Null-terminated UTF-8 copies of strings in native memory, and an array of pointers to them (a <c>const char**</c>).</summary>
internal sealed unsafe class Utf8StringArray : IDisposable
{
    private readonly byte*[] strings;

    public Utf8StringArray(IReadOnlyList<string> values)
    {
        strings = new byte*[values.Count];
        Pointers = (byte**)NativeMemory.Alloc((nuint)Math.Max(1, values.Count), (nuint)sizeof(byte*));
        for (var i = 0; i < values.Count; i++)
        {
            strings[i] = Copy(values[i]);
            Pointers[i] = strings[i];
        }
    }

    public byte** Pointers { get; }

    public int Count => strings.Length;

    /// <summary>A null-terminated UTF-8 copy that the caller frees with <see cref="NativeMemory.Free"/>.</summary>
    public static byte* Copy(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        var buffer = (byte*)NativeMemory.Alloc((nuint)length + 1);
        var written = Encoding.UTF8.GetBytes(value, new Span<byte>(buffer, length));
        buffer[written] = 0;
        return buffer;
    }

    public void Dispose()
    {
        foreach (var s in strings)
        {
            NativeMemory.Free(s);
        }

        NativeMemory.Free(Pointers);
    }
}
