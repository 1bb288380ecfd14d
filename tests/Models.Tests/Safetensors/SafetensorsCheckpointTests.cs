using MoeTune.Models.Safetensors;
using MoeTune.Models.Tests.Support;

namespace MoeTune.Models.Tests.Safetensors;

public sealed class SafetensorsCheckpointTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private void WriteShard(string file, params string[] names)
    {
        var writer = new SafetensorsWriter();
        foreach (var name in names) writer.Add(name, SafetensorsDType.U8, [2], [(byte)name.Length, (byte)name[0]]);
        writer.WriteTo(_folder.File(file));
    }

    private void WriteIndex(string weightMap) =>
        _folder.WriteText(SafetensorsCheckpoint.IndexFileName, $$"""{ "metadata": { "total_size": 8 }, "weight_map": {{{weightMap}}} }""");

    [Fact]
    public void Index_maps_tensors_to_their_shards()
    {
        WriteShard("model-00001-of-00002.safetensors", "a", "bb");
        WriteShard("model-00002-of-00002.safetensors", "ccc");
        WriteIndex("""
            "a": "model-00001-of-00002.safetensors", "bb": "model-00001-of-00002.safetensors", "ccc": "model-00002-of-00002.safetensors"
            """);

        using var checkpoint = SafetensorsCheckpoint.Open(_folder.Path);

        Assert.Equal(["a", "bb", "ccc"], checkpoint.TensorNames.Order());
        Assert.Equal(new byte[] { 3, (byte)'c' }, checkpoint.ReadBytes("ccc"));
        Assert.Equal(_folder.File("model-00001-of-00002.safetensors"), checkpoint.FileOf("bb").Path);
    }

    [Fact]
    public void With_an_index_a_shard_is_opened_only_when_one_of_its_tensors_is_asked_for()
    {
        WriteShard("one.safetensors", "a");
        File.WriteAllBytes(_folder.File("two.safetensors"), [0xFF, 0xFF, 0xFF]);
        WriteIndex(""" "a": "one.safetensors", "b": "two.safetensors" """);

        using var checkpoint = SafetensorsCheckpoint.Open(_folder.Path);

        Assert.True(checkpoint.Contains("b"));
        Assert.Equal(new byte[] { 1, (byte)'a' }, checkpoint.ReadBytes("a"));
        var error = Assert.Throws<CheckpointException>(() => checkpoint.GetInfo("b"));
        Assert.Equal(_folder.File("two.safetensors"), error.Location);
    }

    [Fact]
    public void Without_an_index_every_safetensors_file_is_scanned()
    {
        WriteShard("x.safetensors", "a");
        WriteShard("y.safetensors", "b");

        using var checkpoint = SafetensorsCheckpoint.Open(_folder.Path);

        Assert.Equal(["a", "b"], checkpoint.TensorNames.Order());
        Assert.Equal(new byte[] { 1, (byte)'b' }, checkpoint.GetSpan("b").ToArray());
    }

    [Fact]
    public void A_tensor_in_two_scanned_files_is_an_error()
    {
        WriteShard("x.safetensors", "a");
        WriteShard("y.safetensors", "a");

        var error = Assert.Throws<CheckpointException>(() => SafetensorsCheckpoint.Open(_folder.Path));
        Assert.Contains("x.safetensors and y.safetensors", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Folder_without_safetensors_files_is_an_error()
    {
        Assert.Throws<CheckpointException>(() => SafetensorsCheckpoint.Open(_folder.Path));
        Assert.Throws<CheckpointException>(() => SafetensorsCheckpoint.Open(_folder.File("absent")));
    }

    [Theory]
    [InlineData(""" "a": "missing.safetensors" """, "does not exist")]
    [InlineData(""" "a": "../elsewhere.safetensors" """, "not a file in the checkpoint folder")]
    [InlineData(""" "a": 3 """, "not a file in the checkpoint folder")]
    public void Index_entries_must_name_files_in_the_folder(string weightMap, string problem)
    {
        WriteIndex(weightMap);
        var error = Assert.Throws<CheckpointException>(() => SafetensorsCheckpoint.Open(_folder.Path));
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.Equal("a", error.Tensor);
    }

    [Fact]
    public void Index_without_weight_map_is_an_error()
    {
        _folder.WriteText(SafetensorsCheckpoint.IndexFileName, """{ "metadata": {} }""");
        Assert.Contains("weight_map", Assert.Throws<CheckpointException>(() => SafetensorsCheckpoint.Open(_folder.Path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Index_placing_a_tensor_in_a_file_that_lacks_it_is_an_error_on_use()
    {
        WriteShard("one.safetensors", "a");
        WriteIndex(""" "a": "one.safetensors", "b": "one.safetensors" """);
        using var checkpoint = SafetensorsCheckpoint.Open(_folder.Path);

        var error = Assert.Throws<CheckpointException>(() => checkpoint.ReadBytes("b"));
        Assert.Contains("places it in this file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_tensor_names_the_folder()
    {
        WriteShard("one.safetensors", "a");
        using var checkpoint = SafetensorsCheckpoint.Open(_folder.Path);

        var error = Assert.Throws<CheckpointException>(() => checkpoint.GetInfo("z"));
        Assert.Equal(_folder.Path, error.Location);
        Assert.False(checkpoint.TryGetInfo("z", out _));
    }
}
