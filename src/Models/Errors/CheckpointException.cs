namespace MoeTune.Models;

/// <summary>A safetensors file or checkpoint folder that is malformed, lacks a tensor, or holds a tensor that contradicts the model's config.</summary>
public sealed class CheckpointException : Exception
{
    public CheckpointException(string location, string? tensor, string problem)
        : base(tensor is null ? $"{location}: {problem}" : $"{location}: tensor '{tensor}': {problem}")
    {
        Location = location;
        Tensor = tensor;
    }

    public CheckpointException(string location, string? tensor, string problem, Exception inner)
        : base(tensor is null ? $"{location}: {problem}" : $"{location}: tensor '{tensor}': {problem}", inner)
    {
        Location = location;
        Tensor = tensor;
    }

    /// <summary>The file or folder concerned.</summary>
    public string Location { get; }

    /// <summary>The tensor concerned, where one is.</summary>
    public string? Tensor { get; }
}
