using System.Buffers.Binary;
using System.Text;
using MoeTune.Models.Safetensors;
using MoeTune.Models.Tests.Support;

namespace MoeTune.Models.Tests.Safetensors;

/// <summary>The reader against files built byte by byte here, independently of <see cref="SafetensorsWriter"/>.</summary>
public sealed class SafetensorsFileTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>8-byte little-endian header length, the header text, the data section.</summary>
    private static byte[] Build(string header, params byte[] data)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var file = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)json.Length);
        json.CopyTo(file, 8);
        data.CopyTo(file, 8 + json.Length);
        return file;
    }

    private string WriteFile(byte[] bytes) => _folder.WriteBytes("t.safetensors", bytes);

    private CheckpointException OpenFails(byte[] bytes) => Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(WriteFile(bytes)));

    /// <summary>weights F32 [2, 2] = 1.5, -2, 0.25, 8; ids I32 [3] = 1, -1, 70000; scale BF16 scalar 1.5 (0x3FC0).</summary>
    private static byte[] HandBuilt() => Build(
        """{"__metadata__":{"format":"pt"},"ids":{"dtype":"I32","shape":[3],"data_offsets":[16,28]},"weights":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"scale":{"dtype":"BF16","shape":[],"data_offsets":[28,30]}}""",
        0x00, 0x00, 0xC0, 0x3F, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x80, 0x3E, 0x00, 0x00, 0x00, 0x41,
        0x01, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x70, 0x11, 0x01, 0x00,
        0xC0, 0x3F);

    [Fact]
    public void Reads_a_hand_built_file()
    {
        using var file = SafetensorsFile.Open(WriteFile(HandBuilt()));

        Assert.Equal(3, file.Tensors.Count);
        Assert.Equal("pt", file.Metadata["format"]);
        var weights = file.GetInfo("weights");
        Assert.Equal(SafetensorsDType.F32, weights.DType);
        Assert.Equal([2L, 2L], weights.Shape);
        Assert.Equal((0L, 16L, 4L), (weights.Begin, weights.End, weights.ElementCount));
        var values = new float[4];
        for (var i = 0; i < 4; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(file.GetSpan("weights")[(4 * i)..]);
        Assert.Equal([1.5f, -2f, 0.25f, 8f], values);
        Assert.Equal(70000, BinaryPrimitives.ReadInt32LittleEndian(file.GetSpan("ids", 8, 4)));
        var scale = file.GetInfo("scale");
        Assert.Empty(scale.Shape);
        Assert.Equal(1, scale.ElementCount);
        Assert.Equal(new byte[] { 0xC0, 0x3F }, file.ReadBytes("scale"));
    }

    [Fact]
    public void Slices_outside_a_tensor_are_refused()
    {
        using var file = SafetensorsFile.Open(WriteFile(HandBuilt()));

        Assert.Throws<ArgumentOutOfRangeException>(() => file.GetSpan("ids", 8, 5).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => file.GetSpan("ids", -1, 1).Length);
    }

    [Fact]
    public void Missing_tensor_names_the_file()
    {
        using var file = SafetensorsFile.Open(WriteFile(HandBuilt()));

        var error = Assert.Throws<CheckpointException>(() => file.GetInfo("bias"));

        Assert.Equal("bias", error.Tensor);
        Assert.Equal(file.Path, error.Location);
    }

    [Fact]
    public void Disposed_file_refuses_reads()
    {
        var file = SafetensorsFile.Open(WriteFile(HandBuilt()));
        file.Dispose();
        Assert.Throws<ObjectDisposedException>(() => file.GetSpan("ids").Length);
    }

    [Fact]
    public void Unknown_dtype_keeps_its_bytes_readable()
    {
        using var file = SafetensorsFile.Open(WriteFile(Build("""{"packed":{"dtype":"F4","shape":[4],"data_offsets":[0,2]}}""", 0x12, 0x34)));

        var info = file.GetInfo("packed");
        Assert.Equal(SafetensorsDType.Unknown, info.DType);
        Assert.Equal("F4", info.DTypeName);
        Assert.Equal(new byte[] { 0x12, 0x34 }, file.ReadBytes("packed"));
    }

    [Fact]
    public void Too_short_file_is_an_error()
    {
        Assert.Contains("too short", OpenFails([1, 2, 3]).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Header_length_past_the_end_is_an_error()
    {
        var bytes = Build("{}");
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1000);
        Assert.Contains("runs past the end", OpenFails(bytes).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Header_length_beyond_the_formats_limit_is_an_error()
    {
        var bytes = Build("{}");
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue);
        Assert.Contains("limit", OpenFails(bytes).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"a\":", "not valid JSON")]
    [InlineData("[]", "JSON object")]
    [InlineData("""{"a":{"shape":[1],"data_offsets":[0,1]}}""", "'dtype'")]
    [InlineData("""{"a":{"dtype":"U8","data_offsets":[0,1]}}""", "'shape'")]
    [InlineData("""{"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}}""", "non-negative")]
    [InlineData("""{"a":{"dtype":"U8","shape":[1],"data_offsets":[1,0]}}""", "begin <= end")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,1]}}""", "needs 4 bytes")]
    [InlineData("""{"__metadata__":{"n":1},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}""", "must be a string")]
    [InlineData("""{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}""", "twice")]
    public void Malformed_header_is_an_error(string header, string problem)
    {
        Assert.Contains(problem, OpenFails(Build(header, 0)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Holes_overlaps_and_uncovered_bytes_are_errors()
    {
        Assert.Contains("leaves a hole", OpenFails(Build("""{"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}""", 0, 0)).Message, StringComparison.Ordinal);
        Assert.Contains("overlaps", OpenFails(Build(
            """{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}""", 0, 0)).Message, StringComparison.Ordinal);
        Assert.Contains("cover 1 bytes", OpenFails(Build("""{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}""", 0, 0)).Message, StringComparison.Ordinal);
        Assert.Contains("cover 2 bytes", OpenFails(Build("""{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}""", 0)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_file_with_empty_header_has_no_tensors()
    {
        using var file = SafetensorsFile.Open(WriteFile(Build("{}")));
        Assert.Empty(file.Tensors);
    }
}
