using MoeTune.Abstractions.Devices;
using MoeTune.Plugins.Marlin;
using MoeTune.Plugins.Marlin.Planning;

namespace MoeTune.Plugins.Tests.Marlin;

public sealed class DecodePipelineChoiceTests
{
    private static readonly DeviceInfo Hopper = Gpu("NVIDIA H100 80GB HBM3", 9, 0);
    private static readonly DeviceInfo Ada = Gpu("NVIDIA L40S", 8, 9);

    [Fact]
    public void By_default_hopper_streams_with_overlapped_bulk_copies_and_older_gpus_with_the_register_ring()
    {
        Assert.Equal(DecodePipeline.BulkCopyOverlapped, DecodePipelineChoice.Resolve(null, null, Hopper));
        Assert.Equal(DecodePipeline.RegisterRing, DecodePipelineChoice.Resolve(null, "", Ada));
    }

    [Fact]
    public void The_environment_variable_picks_a_pipeline_and_the_backends_own_choice_beats_it()
    {
        Assert.Equal(DecodePipeline.RegisterRing, DecodePipelineChoice.Resolve(null, "ring", Hopper));
        Assert.Equal(DecodePipeline.BulkCopy, DecodePipelineChoice.Resolve(null, " BULK ", Hopper));
        Assert.Equal(DecodePipeline.BulkCopyOverlapped, DecodePipelineChoice.Resolve(null, "overlap", Hopper));
        Assert.Equal(DecodePipeline.BulkCopy, DecodePipelineChoice.Resolve(DecodePipeline.BulkCopy, "ring", Hopper));
    }

    [Fact]
    public void An_unknown_name_is_an_error_naming_the_variable()
    {
        var error = Assert.Throws<ArgumentException>(() => DecodePipelineChoice.Resolve(null, "tma", Hopper));
        Assert.Contains(DecodePipelineChoice.EnvironmentVariable, error.Message, StringComparison.Ordinal);
        Assert.Contains("'tma'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'ring', 'bulk', 'overlap'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bulk_copies_asked_of_a_gpu_without_them_are_refused_with_the_source_and_the_reason()
    {
        var fromVariable = Assert.Throws<NotSupportedException>(() => DecodePipelineChoice.Resolve(null, "bulk", Ada));
        Assert.Contains(DecodePipelineChoice.EnvironmentVariable, fromVariable.Message, StringComparison.Ordinal);
        Assert.Contains("sm_89", fromVariable.Message, StringComparison.Ordinal);
        var fromBackend = Assert.Throws<NotSupportedException>(() => DecodePipelineChoice.Resolve(DecodePipeline.BulkCopy, null, Ada));
        Assert.Contains("DecodePipeline", fromBackend.Message, StringComparison.Ordinal);
        var overlapped = Assert.Throws<NotSupportedException>(() => DecodePipelineChoice.Resolve(null, "overlap", Ada));
        Assert.Contains("'overlap'", overlapped.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_round_trip()
    {
        foreach (var pipeline in Enum.GetValues<DecodePipeline>())
        {
            Assert.Equal(pipeline, DecodePipelineChoice.Parse(DecodePipelineChoice.Name(pipeline)));
        }
    }

    private static DeviceInfo Gpu(string name, int major, int minor) =>
        new() { Kind = DeviceKind.Cuda, Name = name, SmMajor = major, SmMinor = minor, MultiprocessorCount = 132 };
}
