namespace MoeTune.TuningDb;

/// <summary>Labels over problem shapes (preset or model names such as "qwen3-30b-a3b"): short, printable text.</summary>
public static class ProblemLabels
{
    public const int MaxLength = 128;

    /// <summary>Null for a valid label, else why it is not one.</summary>
    public static string? Check(string? label) =>
        string.IsNullOrWhiteSpace(label) ? "a label must not be empty"
        : label.Length > MaxLength ? $"a label has at most {MaxLength} characters"
        : label.Any(char.IsControl) ? "a label must not contain control characters"
        : null;
}
