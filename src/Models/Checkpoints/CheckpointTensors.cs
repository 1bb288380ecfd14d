using System.Buffers.Binary;
using System.Globalization;
using MoeTune.Models.Numerics;
using MoeTune.Models.Safetensors;

namespace MoeTune.Models.Checkpoints;

/// <summary>Checked access to a checkpoint's tensors: every missing tensor, wrong dtype or wrong shape is an error naming the tensor and what was expected.</summary>
internal sealed class CheckpointTensors(SafetensorsCheckpoint checkpoint)
{
    private static readonly SafetensorsDType[] FloatTypes = [SafetensorsDType.BF16, SafetensorsDType.F16, SafetensorsDType.F32];

    public SafetensorsCheckpoint Checkpoint { get; } = checkpoint;

    public bool Contains(string name) => Checkpoint.Contains(name);

    public CheckpointException Error(string tensor, string problem) => new(Checkpoint.Folder, tensor, problem);

    /// <summary>The entry of <paramref name="name"/>, which must exist with one of <paramref name="types"/> and exactly <paramref name="shape"/>.</summary>
    public SafetensorsTensorInfo Require(string name, IReadOnlyList<Dim> shape, params SafetensorsDType[] types)
    {
        var expected = $"{string.Join(" or ", types.Select(t => t.ToName()))} {Dim.Describe(shape)}";
        if (!Checkpoint.TryGetInfo(name, out var info)) throw Error(name, $"is missing; expected {expected}");
        if (!types.Contains(info.DType)) throw Error(name, $"has dtype {info.DTypeName}; expected {expected}");
        if (!info.HasShape([.. shape.Select(d => d.Size)])) throw Error(name, $"has shape {info.ShapeText}; expected {expected}");
        return info;
    }

    /// <summary>A scalar (shape [] or [1]) float: FP32, or BF16/F16 widened exactly.</summary>
    public float RequireScalar(string name)
    {
        if (!Checkpoint.TryGetInfo(name, out var info)) throw Error(name, "is missing; expected a scalar F32");
        if (info.ElementCount != 1 || info.Shape.Count > 1)
        {
            throw Error(name, $"has shape {info.ShapeText}; expected a scalar ([] or [1]): one scale per matrix");
        }

        if (!FloatTypes.Contains(info.DType)) throw Error(name, $"has dtype {info.DTypeName}; expected F32, BF16 or F16");
        return ReadFloats(info, 0, 1)[0];
    }

    /// <summary><paramref name="count"/> elements from element <paramref name="first"/> of a float tensor, widened exactly to FP32.</summary>
    public float[] ReadFloats(SafetensorsTensorInfo info, long first, int count)
    {
        var size = info.DType.SizeOf();
        var bytes = Checkpoint.GetSpan(info.Name, first * size, count * size);
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = info.DType switch
            {
                SafetensorsDType.F32 => BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]),
                SafetensorsDType.BF16 => CheckpointFloats.Bf16ToSingle(bytes[(2 * i)..]),
                SafetensorsDType.F16 => (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(2 * i)..]),
                _ => throw Error(info.Name, $"has dtype {info.DTypeName}; expected F32, BF16 or F16"),
            };
        }

        return values;
    }

    /// <summary><paramref name="count"/> elements from element <paramref name="first"/> of a float tensor as BF16 bytes (F32/F16 rounded to nearest even).</summary>
    public byte[] ReadBf16(SafetensorsTensorInfo info, long first, int count)
    {
        var size = info.DType.SizeOf();
        var source = Checkpoint.GetSpan(info.Name, first * size, checked(count * size));
        var bf16 = new byte[checked(2 * count)];
        switch (info.DType)
        {
            case SafetensorsDType.BF16:
                source.CopyTo(bf16);
                break;
            case SafetensorsDType.F32:
                CheckpointFloats.F32ToBf16(source, bf16);
                break;
            case SafetensorsDType.F16:
                CheckpointFloats.F16ToBf16(source, bf16);
                break;
            default:
                throw Error(info.Name, $"has dtype {info.DTypeName}; expected BF16, F16 or F32");
        }

        return bf16;
    }

    /// <summary>The bytes of <paramref name="count"/> rows of <paramref name="rowBytes"/> each, from row <paramref name="firstRow"/>.</summary>
    public byte[] ReadRows(SafetensorsTensorInfo info, long firstRow, int count, int rowBytes) =>
        Checkpoint.GetSpan(info.Name, firstRow * rowBytes, checked(count * rowBytes)).ToArray();

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
