namespace MoeTune.Abstractions.Tensors;

/// <summary>Element types that cross the backend contract.</summary>
public enum DType
{
    Bf16,
    F32,
    I32,
    U8,
}

/// <summary>Where a tensor's memory lives.</summary>
public enum MemoryLocation
{
    Host,
    Cuda,
}

public static class DTypes
{
    public static int SizeOf(this DType type) => type switch
    {
        DType.Bf16 => 2,
        DType.F32 => 4,
        DType.I32 => 4,
        DType.U8 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown dtype"),
    };
}

/// <summary>
/// A borrowed, row-major 2-D tensor: an address (host or device), its element type and shape. The caller owns
/// the memory; a backend reads or writes it only during the call it was passed to.
/// </summary>
public readonly record struct TensorRef(nint Address, DType DType, int Rows, int Cols, MemoryLocation Location)
{
    public long ElementCount => (long)Rows * Cols;

    public long ByteCount => ElementCount * DType.SizeOf();

    /// <summary>Throws with a message naming <paramref name="name"/> unless the tensor has this type, shape and location.</summary>
    public void Require(string name, DType type, int rows, int cols, MemoryLocation location)
    {
        if (Address == 0) throw new ArgumentException($"{name}: null pointer");
        if (DType != type) throw new ArgumentException($"{name}: expected {type}, got {DType}");
        if (Rows != rows || Cols != cols) throw new ArgumentException($"{name}: expected shape [{rows}, {cols}], got [{Rows}, {Cols}]");
        if (Location != location) throw new ArgumentException($"{name}: expected {location} memory, got {Location}");
    }
}
