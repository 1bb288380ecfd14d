namespace MoeTune.Models.Safetensors;

/// <summary>The element types of the safetensors format (its header spells them as in <see cref="SafetensorsDTypes.ToName"/>).</summary>
public enum SafetensorsDType
{
    /// <summary>A dtype name this reader does not know; the tensor's bytes are still readable.</summary>
    Unknown,
    Bool,
    U8,
    I8,
    F8E4M3,
    F8E5M2,
    F8E8M0,
    I16,
    U16,
    F16,
    BF16,
    I32,
    U32,
    F32,
    I64,
    U64,
    F64,
}

public static class SafetensorsDTypes
{
    private static readonly (SafetensorsDType Type, string Name, int Size)[] Table =
    [
        (SafetensorsDType.Bool, "BOOL", 1),
        (SafetensorsDType.U8, "U8", 1),
        (SafetensorsDType.I8, "I8", 1),
        (SafetensorsDType.F8E4M3, "F8_E4M3", 1),
        (SafetensorsDType.F8E5M2, "F8_E5M2", 1),
        (SafetensorsDType.F8E8M0, "F8_E8M0", 1),
        (SafetensorsDType.I16, "I16", 2),
        (SafetensorsDType.U16, "U16", 2),
        (SafetensorsDType.F16, "F16", 2),
        (SafetensorsDType.BF16, "BF16", 2),
        (SafetensorsDType.I32, "I32", 4),
        (SafetensorsDType.U32, "U32", 4),
        (SafetensorsDType.F32, "F32", 4),
        (SafetensorsDType.I64, "I64", 8),
        (SafetensorsDType.U64, "U64", 8),
        (SafetensorsDType.F64, "F64", 8),
    ];

    /// <summary>The header's spelling, for example <c>F8_E4M3</c>.</summary>
    public static string ToName(this SafetensorsDType type)
    {
        foreach (var entry in Table)
        {
            if (entry.Type == type) return entry.Name;
        }

        throw new ArgumentOutOfRangeException(nameof(type), type, "a dtype with no safetensors name");
    }

    /// <summary>Bytes per element.</summary>
    public static int SizeOf(this SafetensorsDType type)
    {
        foreach (var entry in Table)
        {
            if (entry.Type == type) return entry.Size;
        }

        throw new ArgumentOutOfRangeException(nameof(type), type, "a dtype of unknown size");
    }

    /// <summary>The dtype the header's <paramref name="name"/> means (exact, case-sensitive as the format is), or <see cref="SafetensorsDType.Unknown"/>.</summary>
    public static SafetensorsDType Parse(string name)
    {
        foreach (var entry in Table)
        {
            if (string.Equals(entry.Name, name, StringComparison.Ordinal)) return entry.Type;
        }

        return SafetensorsDType.Unknown;
    }
}
