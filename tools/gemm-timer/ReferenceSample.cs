using MoeTune.Abstractions.Weights;
using MoeTune.Reference.Formats;
using MoeTune.Reference.Layer;

namespace MoeTune.Tools.GemmTimer;

/// <summary>
/// The CPU reference (float64) for a few tokens of an input set, spread over the batch, and the relative Frobenius
/// error of a GPU output against it: a fast but wrong pipeline shows up next to its time. The reference's result for a
/// token does not depend on the rest of the batch, so the sampled tokens are run as a batch of their own.
/// </summary>
internal sealed class ReferenceSample
{
    /// <summary>The GPU suite's bound for bf16 activations (DESIGN.md).</summary>
    public const double Tolerance = 1e-2;

    private readonly double[] expected;
    private readonly int hidden;

    private ReferenceSample(IReadOnlyList<int> tokens, double[] expected, int hidden)
    {
        Tokens = tokens;
        this.expected = expected;
        this.hidden = hidden;
    }

    /// <summary>The sampled token indices, ascending.</summary>
    public IReadOnlyList<int> Tokens { get; }

    public static ReferenceSample Compute(MoeWeights weights, InputSet inputs, int count)
    {
        var (hidden, topK) = (weights.Shape.Hidden, weights.Shape.TopK);
        var tokens = Enumerable.Range(0, Math.Min(count, inputs.Tokens)).Select(i => (int)((((long)i * inputs.Tokens) + (inputs.Tokens / 2)) / Math.Min(count, inputs.Tokens))).Distinct().ToList();
        var x = new ushort[tokens.Count * hidden];
        var ids = new int[tokens.Count * topK];
        var routeWeights = new float[tokens.Count * topK];
        for (var j = 0; j < tokens.Count; j++)
        {
            inputs.Hidden.AsSpan(tokens[j] * hidden, hidden).CopyTo(x.AsSpan(j * hidden));
            inputs.Routing.Ids.AsSpan(tokens[j] * topK, topK).CopyTo(ids.AsSpan(j * topK));
            inputs.Routing.Weights.AsSpan(tokens[j] * topK, topK).CopyTo(routeWeights.AsSpan(j * topK));
        }

        return new ReferenceSample(tokens, new ReferenceMoeLayer(weights).Forward(x, ids, routeWeights, tokens.Count), hidden);
    }

    /// <summary>‖gpu − reference‖ / ‖reference‖ over the sampled rows; NaN where any output is not finite (unwritten or wrong).</summary>
    public double RelativeError(ushort[][] rows)
    {
        double difference = 0, norm = 0;
        for (var j = 0; j < rows.Length; j++)
        {
            for (var n = 0; n < hidden; n++)
            {
                var actual = Bf16.ToFloat(rows[j][n]);
                if (!float.IsFinite(actual)) return double.NaN;
                var reference = expected[(j * hidden) + n];
                difference += (actual - reference) * (actual - reference);
                norm += reference * reference;
            }
        }

        return Math.Sqrt(difference / norm);
    }
}
