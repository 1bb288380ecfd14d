using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;
using MoeTune.Reference.Formats;

namespace MoeTune.Reference.Synthetic;

/// <summary>
/// Seeded random expert weights scaled like trained checkpoints. Each matrix is drawn N(0, 1/fan_in) (W13: 1/H,
/// W2: 1/I) and then quantised to the shape's format. Fan-in scaling keeps the layer's signals at unit scale: with
/// hidden states ~N(0, 1), W13 products are ~N(0, 1), the activation's outputs are of order 1, and so are W2's. It
/// also lands in the range trained MoE checkpoints show: σ = 0.022 for H = 2048 (Qwen3-30B-A3B's experts have
/// σ ≈ 0.02), 0.012 for H = 7168. gpt-oss's biases are drawn N(0, 0.1²), small beside the unit-scale pre-activations.
/// <para>
/// Every (expert, matrix) draws from its own stream derived from the seed, and experts are generated in parallel, so
/// the result depends on the seed only, never on the thread count.
/// </para>
/// </summary>
public static class SyntheticWeights
{
    /// <summary>The standard deviation of gpt-oss's synthetic biases.</summary>
    public const float BiasSigma = 0.1f;

    private const int W13Stream = 0;
    private const int W2Stream = 1;
    private const int Bias13Stream = 2;
    private const int Bias2Stream = 3;

    public static MoeWeights Generate(MoeShape shape, int seed)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var experts = new ExpertWeights[shape.Experts];
        Parallel.For(0, shape.Experts, e => experts[e] = GenerateExpert(shape, seed, e));
        return new MoeWeights(shape, experts);
    }

    private static ExpertWeights GenerateExpert(MoeShape shape, int seed, int expert)
    {
        var w13 = Matrix(shape.Format, shape.W13Rows, shape.Hidden, seed, expert, W13Stream);
        var w2 = Matrix(shape.Format, shape.Hidden, shape.Intermediate, seed, expert, W2Stream);
        if (!shape.Activation.HasBiases())
        {
            return new ExpertWeights(w13, w2);
        }

        return new ExpertWeights(
            w13,
            w2,
            Normal(shape.W13Rows, BiasSigma, seed, expert, Bias13Stream),
            Normal(shape.Hidden, BiasSigma, seed, expert, Bias2Stream));
    }

    private static QuantizedMatrix Matrix(WeightFormat format, int rows, int cols, int seed, int expert, int stream) =>
        WeightCodec.Quantize(format, Normal(rows * cols, 1f / MathF.Sqrt(cols), seed, expert, stream), rows, cols);

    private static float[] Normal(int count, float sigma, int seed, int expert, int stream)
    {
        var random = new Xoshiro256StarStar(seed, expert, stream);
        var values = new float[count];
        NormalFill.Fill(ref random, values, sigma);
        return values;
    }
}
