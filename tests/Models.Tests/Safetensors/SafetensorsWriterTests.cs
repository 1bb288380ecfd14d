using System.Buffers.Binary;
using System.Text.Json;
using CsCheck;
using MoeTune.Models.Safetensors;
using MoeTune.Models.Tests.Support;

namespace MoeTune.Models.Tests.Safetensors;

public sealed class SafetensorsWriterTests : IDisposable
{
    private static readonly SafetensorsDType[] Types =
        [SafetensorsDType.U8, SafetensorsDType.F8E4M3, SafetensorsDType.BF16, SafetensorsDType.F16, SafetensorsDType.I32, SafetensorsDType.F32, SafetensorsDType.I64];

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Writes_the_moe_io_tensors_with_an_aligned_header_that_plain_json_reads()
    {
        var path = _folder.File("io.safetensors");
        new SafetensorsWriter()
            .Add(MoeIoTensorNames.HiddenStates, SafetensorsDType.BF16, [2, 3], new ushort[] { 0x3F80, 0x4000, 0x4040, 0xBF80, 0, 0x7F80 }.AsSpan())
            .Add(MoeIoTensorNames.TopKIds, SafetensorsDType.I32, [2, 1], new[] { 5, 7 }.AsSpan())
            .Add(MoeIoTensorNames.TopKWeights, SafetensorsDType.F32, [2, 1], new[] { 0.25f, 1f }.AsSpan())
            .SetMetadata("tokens", "2")
            .WriteTo(path);

        var bytes = File.ReadAllBytes(path);
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, headerLength % 8);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, headerLength));
        Assert.Equal("2", header.RootElement.GetProperty("__metadata__").GetProperty("tokens").GetString());
        var ids = header.RootElement.GetProperty("topk_ids");
        Assert.Equal("I32", ids.GetProperty("dtype").GetString());
        var begin = ids.GetProperty("data_offsets")[0].GetInt32();
        Assert.Equal(0, begin % 4);
        Assert.Equal(7, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8 + headerLength + begin + 4)));

        using var file = SafetensorsFile.Open(path);
        Assert.Equal(0.25f, BinaryPrimitives.ReadSingleLittleEndian(file.GetSpan(MoeIoTensorNames.TopKWeights)));
        Assert.Equal(0x7F80, BinaryPrimitives.ReadUInt16LittleEndian(file.GetSpan(MoeIoTensorNames.HiddenStates)[10..]));
    }

    [Fact]
    public void Round_trips_any_set_of_tensors()
    {
        var tensor = Gen.Select(Gen.Int[0, Types.Length - 1], Gen.Int[0, 4].Array[0, 3], Gen.Int, (type, shape, seed) => (Types[type], shape, seed));
        tensor.Array[0, 5].Sample(
            tensors =>
            {
                var writer = new SafetensorsWriter();
                var expected = new Dictionary<string, (SafetensorsDType, long[], byte[])>();
                for (var i = 0; i < tensors.Length; i++)
                {
                    var (type, dims, seed) = tensors[i];
                    long[] shape = [.. dims.Select(d => (long)d)];
                    var data = new byte[shape.Aggregate(1L, (n, d) => n * d) * type.SizeOf()];
                    new Random(seed).NextBytes(data);
                    writer.Add($"t{i}", type, shape, data);
                    expected[$"t{i}"] = (type, shape, data);
                }

                var path = _folder.File($"round-trip-{Guid.NewGuid():N}.safetensors");
                writer.WriteTo(path);
                using var file = SafetensorsFile.Open(path);
                Assert.Equal(expected.Count, file.Tensors.Count);
                foreach (var (name, (type, shape, data)) in expected)
                {
                    Assert.Equal(type, file.GetInfo(name).DType);
                    Assert.Equal(shape, file.GetInfo(name).Shape);
                    Assert.Equal(data, file.ReadBytes(name));
                }
            },
            iter: 60);
    }

    [Fact]
    public void Refuses_inconsistent_tensors()
    {
        byte[] one = [1];
        var writer = new SafetensorsWriter().Add("a", SafetensorsDType.U8, [1], one);

        Assert.Throws<ArgumentException>(() => writer.Add("a", SafetensorsDType.U8, [1], one));
        Assert.Throws<ArgumentException>(() => writer.Add("b", SafetensorsDType.F32, [2], new byte[4]));
        Assert.Throws<ArgumentException>(() => writer.Add("c", SafetensorsDType.F32, [1], new double[] { 1 }.AsSpan()));
        Assert.Throws<ArgumentException>(() => writer.Add("__metadata__", SafetensorsDType.U8, [1], one));
        Assert.Throws<ArgumentException>(() => writer.Add("d", SafetensorsDType.Unknown, [1], one));
        Assert.Throws<ArgumentException>(() => writer.Add("e", SafetensorsDType.U8, [-1], one));
    }
}
