using System.Globalization;

namespace MoeTune.Models.Safetensors;

/// <summary>One tensor's entry in a safetensors header.</summary>
/// <param name="Name">The tensor's name.</param>
/// <param name="DType">Its element type (<see cref="SafetensorsDType.Unknown"/> for a name this reader does not know).</param>
/// <param name="DTypeName">The header's dtype text.</param>
/// <param name="Shape">Its dimensions, outermost first; empty for a scalar.</param>
/// <param name="Begin">First byte, counted from the start of the data section (the header's data_offsets[0]).</param>
/// <param name="End">One past the last byte (data_offsets[1]).</param>
public sealed record SafetensorsTensorInfo(
    string Name,
    SafetensorsDType DType,
    string DTypeName,
    IReadOnlyList<long> Shape,
    long Begin,
    long End)
{
    public long ByteLength => End - Begin;

    /// <summary>The product of the dimensions (1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (n, d) => checked(n * d));

    /// <summary>The shape as text, for example <c>[128, 2048]</c>.</summary>
    public string ShapeText => FormatShape(Shape);

    public static string FormatShape(IEnumerable<long> shape) =>
        "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";

    public bool HasShape(params long[] expected) => Shape.SequenceEqual(expected);
}
