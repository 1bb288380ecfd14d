using MoeTune.Abstractions.Problems;

namespace MoeTune.Abstractions.Weights;

/// <summary>
/// One expert's weights in MoeTune's canonical layout: W13 [2I, H] with the I gate rows first and the I up rows
/// after them (or [I, H] for non-gated activations), W2 [H, I]. Biases are FP32 and present only for
/// activations that have them (gpt-oss): <see cref="Bias13"/> has W13's row count, <see cref="Bias2"/> has H.
/// </summary>
public sealed record ExpertWeights(QuantizedMatrix W13, QuantizedMatrix W2, float[]? Bias13 = null, float[]? Bias2 = null);

/// <summary>All routed experts of one MoE layer, checked against their shape.</summary>
public sealed class MoeWeights
{
    public MoeWeights(MoeShape shape, IReadOnlyList<ExpertWeights> experts)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(experts);
        if (experts.Count != shape.Experts)
        {
            throw new ArgumentException($"shape has {shape.Experts} experts, weights have {experts.Count}");
        }

        for (var e = 0; e < experts.Count; e++)
        {
            Check(e, "W13", experts[e].W13, shape.W13Rows, shape.Hidden, shape.Format);
            Check(e, "W2", experts[e].W2, shape.Hidden, shape.Intermediate, shape.Format);
            var wantsBias = shape.Activation.HasBiases();
            if (wantsBias != (experts[e].Bias13 is not null) || wantsBias != (experts[e].Bias2 is not null))
            {
                throw new ArgumentException($"expert {e}: {shape.Activation.ToName()} {(wantsBias ? "needs" : "takes no")} biases");
            }

            if (wantsBias && (experts[e].Bias13!.Length != shape.W13Rows || experts[e].Bias2!.Length != shape.Hidden))
            {
                throw new ArgumentException($"expert {e}: bias lengths must be {shape.W13Rows} and {shape.Hidden}");
            }
        }

        Shape = shape;
        Experts = experts;
    }

    public MoeShape Shape { get; }

    public IReadOnlyList<ExpertWeights> Experts { get; }

    /// <summary>Stored bytes of every expert's matrices and scales (biases not counted).</summary>
    public long StoredBytes => Experts.Sum(e => e.W13.StoredBytes + e.W2.StoredBytes);

    private static void Check(int expert, string name, QuantizedMatrix m, int rows, int cols, WeightFormat format)
    {
        if (m.Format != format || m.Rows != rows || m.Cols != cols)
        {
            throw new ArgumentException(
                $"expert {expert} {name}: expected {format.ToName()} [{rows}, {cols}], got {m.Format.ToName()} [{m.Rows}, {m.Cols}]");
        }
    }
}
