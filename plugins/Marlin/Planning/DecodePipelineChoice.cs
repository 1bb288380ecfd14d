using MoeTune.Abstractions.Devices;

namespace MoeTune.Plugins.Marlin.Planning;

/// <summary>
/// Which decode pipeline a layer uses: the one the backend was built with, else the one <see cref="EnvironmentVariable"/>
/// names (for comparing them on one GPU), else the overlapped bulk-copy pipeline where the GPU has a copy engine for it
/// (SM 9.0 and newer: on an H100 it was as fast as or faster than plain bulk copies at every preset and T = 1, 4, 8, 16
/// measured, up to 1.29× at T = 16; NOTES.md) and the register ring elsewhere. A named pipeline the GPU cannot run is an error, never a quiet switch.
/// </summary>
public static class DecodePipelineChoice
{
    public const string EnvironmentVariable = "MOETUNE_MARLIN_DECODE";

    /// <summary>cp.async.bulk and mbarrier transaction counts arrived with Hopper.</summary>
    public const int BulkCopyMinCapability = 90;

    /// <summary>The names <see cref="EnvironmentVariable"/> takes, by pipeline.</summary>
    public static string Name(DecodePipeline pipeline) => pipeline switch
    {
        DecodePipeline.RegisterRing => "ring",
        DecodePipeline.BulkCopy => "bulk",
        DecodePipeline.BulkCopyOverlapped => "overlap",
        _ => throw new ArgumentOutOfRangeException(nameof(pipeline), pipeline, "unknown decode pipeline"),
    };

    /// <summary>The pipeline named <paramref name="text"/> ("ring", "bulk" or "overlap", any case).</summary>
    public static DecodePipeline Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var pipeline in Enum.GetValues<DecodePipeline>())
        {
            if (string.Equals(text.Trim(), Name(pipeline), StringComparison.OrdinalIgnoreCase))
            {
                return pipeline;
            }
        }

        var names = string.Join(", ", Enum.GetValues<DecodePipeline>().Select(p => $"'{Name(p)}'"));
        throw new ArgumentException($"'{text}' is not a Marlin decode pipeline; expected one of {names}", nameof(text));
    }

    /// <summary>The pipeline for <paramref name="device"/>: <paramref name="requested"/>, else <paramref name="environment"/> (the variable's value, null or empty when unset), else the device's default.</summary>
    public static DecodePipeline Resolve(DecodePipeline? requested, string? environment, DeviceInfo device)
    {
        ArgumentNullException.ThrowIfNull(device);
        string source;
        DecodePipeline pipeline;
        if (requested is { } chosen)
        {
            (pipeline, source) = (chosen, "the backend's DecodePipeline");
        }
        else if (!string.IsNullOrWhiteSpace(environment))
        {
            try
            {
                (pipeline, source) = (Parse(environment), EnvironmentVariable);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"{EnvironmentVariable}: {e.Message}", nameof(environment), e);
            }
        }
        else
        {
            return device.ComputeCapability >= BulkCopyMinCapability ? DecodePipeline.BulkCopyOverlapped : DecodePipeline.RegisterRing;
        }

        if (pipeline != DecodePipeline.RegisterRing && device.ComputeCapability < BulkCopyMinCapability)
        {
            throw new NotSupportedException(
                $"{source} asks for Marlin's '{Name(pipeline)}' decode pipeline, which copies with the copy engine and needs compute capability 9.0 or newer; {device.Name} is {device.Arch}");
        }

        return pipeline;
    }
}
