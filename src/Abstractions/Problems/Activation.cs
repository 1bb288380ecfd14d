namespace MoeTune.Abstractions.Problems;

/// <summary>The expert's activation between its two GEMMs.</summary>
public enum Activation
{
    /// <summary><c>silu(gate) * up</c>; W13 holds the I gate rows first, then the I up rows.</summary>
    SwiGlu,

    /// <summary><c>relu(x)^2</c>, not gated (Nemotron); W13 has I rows.</summary>
    ReluSquared,

    /// <summary>
    /// gpt-oss: <c>g = min(gate, 7)</c>, <c>u = clamp(up, -7, 7)</c>, <c>g * sigmoid(1.702 g) * (u + 1)</c>, with biases.
    /// Stored in MoeTune's canonical order (gate rows first, then up rows); checkpoint readers de-interleave.
    /// </summary>
    ClampedSwiGlu,
}

public static class Activations
{
    /// <summary>gpt-oss's clamped SwiGLU constants.</summary>
    public const double ClampedAlpha = 1.702;

    /// <summary>gpt-oss's clamp limit.</summary>
    public const double ClampedLimit = 7.0;

    public static IReadOnlyList<Activation> All { get; } = [Activation.SwiGlu, Activation.ReluSquared, Activation.ClampedSwiGlu];

    public static string ToName(this Activation activation) => activation switch
    {
        Activation.SwiGlu => "swiglu",
        Activation.ReluSquared => "relu2",
        Activation.ClampedSwiGlu => "swiglu-clamped",
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation"),
    };

    public static bool TryParse(string? text, out Activation activation)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.ToName(), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                activation = candidate;
                return true;
            }
        }

        activation = default;
        return false;
    }

    /// <summary>True where W13 holds gate and up rows (2I rows); false where it holds I rows.</summary>
    public static bool IsGated(this Activation activation) => activation != Activation.ReluSquared;

    /// <summary>True where the checkpoint carries biases for both GEMMs (gpt-oss).</summary>
    public static bool HasBiases(this Activation activation) => activation == Activation.ClampedSwiGlu;
}
