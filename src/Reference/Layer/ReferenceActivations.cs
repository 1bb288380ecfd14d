using MoeTune.Abstractions.Problems;

namespace MoeTune.Reference.Layer;

/// <summary>
/// The experts' activations in float64, as the reference layer applies them between its two GEMMs. Inputs are the
/// W13 products with their biases already added; outputs are not rounded (the layer rounds them to bf16). NaN and
/// infinities go through the IEEE formulas below unchecked.
/// </summary>
public static class ReferenceActivations
{
    /// <summary>silu(x) = x · sigmoid(x), evaluated as x / (1 + e^(−x)).</summary>
    public static double Silu(double x) => x / (1.0 + Math.Exp(-x));

    /// <summary>SwiGLU: silu(gate) · up.</summary>
    public static double SwiGlu(double gate, double up) => Silu(gate) * up;

    /// <summary>ReLU²: max(x, 0)², NaN kept.</summary>
    public static double ReluSquared(double x)
    {
        var r = Math.Max(x, 0.0);
        return r * r;
    }

    /// <summary>
    /// gpt-oss's clamped SwiGLU: g = min(gate, 7), u = clamp(up, −7, 7), g · sigmoid(1.702 g) · (u + 1), with
    /// g · sigmoid(αg) evaluated as g / (1 + e^(−αg)). NaN stays NaN (Math.Min and Math.Clamp keep it).
    /// </summary>
    public static double ClampedSwiGlu(double gate, double up)
    {
        var g = Math.Min(gate, Activations.ClampedLimit);
        var u = Math.Clamp(up, -Activations.ClampedLimit, Activations.ClampedLimit);
        return g / (1.0 + Math.Exp(-Activations.ClampedAlpha * g)) * (u + 1.0);
    }

    /// <summary>
    /// Applies <paramref name="activation"/> to one token's W13 output: [2I] for gated activations (the I gate values
    /// first, then the I up values, MoeTune's canonical order), [I] for ReLU²; writes I values.
    /// </summary>
    public static void Apply(Activation activation, ReadOnlySpan<double> w13Output, Span<double> output)
    {
        var gated = activation.IsGated();
        if (w13Output.Length != (gated ? 2 : 1) * output.Length)
        {
            throw new ArgumentException(
                $"{activation.ToName()} maps {(gated ? "2I" : "I")} W13 outputs to I values: got {w13Output.Length} for I = {output.Length}",
                nameof(w13Output));
        }

        Apply(activation, w13Output[..output.Length], gated ? w13Output[output.Length..] : default, output);
    }

    /// <summary>
    /// Applies <paramref name="activation"/> element-wise: gated activations combine <paramref name="gate"/>[i] and
    /// <paramref name="up"/>[i]; ReLU² reads <paramref name="gate"/> as its input, and <paramref name="up"/> must be empty.
    /// </summary>
    public static void Apply(Activation activation, ReadOnlySpan<double> gate, ReadOnlySpan<double> up, Span<double> output)
    {
        if (gate.Length != output.Length)
        {
            throw new ArgumentException($"expected {output.Length} inputs, got {gate.Length}", nameof(gate));
        }

        if (up.Length != (activation.IsGated() ? output.Length : 0))
        {
            throw new ArgumentException($"{activation.ToName()} expects {(activation.IsGated() ? output.Length : 0)} up values, got {up.Length}", nameof(up));
        }

        switch (activation)
        {
            case Activation.SwiGlu:
                for (var i = 0; i < output.Length; i++) output[i] = SwiGlu(gate[i], up[i]);
                break;
            case Activation.ClampedSwiGlu:
                for (var i = 0; i < output.Length; i++) output[i] = ClampedSwiGlu(gate[i], up[i]);
                break;
            case Activation.ReluSquared:
                for (var i = 0; i < output.Length; i++) output[i] = ReluSquared(gate[i]);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation");
        }
    }
}
