using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;
using MoeTune.Reference.Formats;

namespace MoeTune.Reference.Layer;

/// <summary>
/// The CPU oracle for one MoE layer. For each token t and each chosen expert e with weight w:
/// <c>h = act(W13[e]·x[t] + b13)</c>, h rounded to bf16 (as GPU kernels store it), then
/// <c>y[t] += w · (W2[e]·h + b2)</c>, with biases only where the activation has them.
/// <para>
/// Arithmetic: the weights are taken as the exact values the format defines (element × block scale × global scale).
/// Each dot product multiplies the element-times-block-scale (exact) by the bf16 input in float64 (exact), sums in
/// float64, and applies the matrix's global scale once to the sum; everything after that is float64 until the
/// optional bf16 output. Results are identical for any thread count, and a token's result does not depend on the
/// other tokens in the batch: every output element is produced by one work item in a fixed order (experts
/// ascending, then token·k + slot ascending), and every dot product is summed in the same order (see RowDots).
/// Memory beyond the weights: x [T, H], h [T·k, I] and y [T, H] in float64.
/// </para>
/// <para>
/// Ids may repeat within a token; each (token, slot) then contributes, as the formula says. NaN and infinities in
/// the inputs propagate as IEEE arithmetic does; they are never an error.
/// </para>
/// </summary>
public sealed class ReferenceMoeLayer
{
    /// <summary>Intermediate features per work item in the first GEMM.</summary>
    private const int IntermediateChunk = 32;

    /// <summary>Output features per work item in the second GEMM.</summary>
    private const int OutputChunk = 32;

    private readonly MoeWeights _weights;
    private readonly ParallelOptions _parallel;

    /// <param name="weights">The layer's experts.</param>
    /// <param name="maxDegreeOfParallelism">Worker threads (−1: as many as the runtime chooses); the results do not depend on it.</param>
    public ReferenceMoeLayer(MoeWeights weights, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (maxDegreeOfParallelism is 0 or < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDegreeOfParallelism), maxDegreeOfParallelism, "must be positive, or −1 for the default");
        }

        _weights = weights;
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };
    }

    public MoeShape Shape => _weights.Shape;

    /// <summary>
    /// Runs the layer on <paramref name="tokens"/> tokens: hidden states [T, H] bf16, top-k ids [T, k] in [0, E) and
    /// weights [T, k]; returns y [T, H] in float64, not rounded.
    /// </summary>
    public double[] Forward(ReadOnlySpan<ushort> hiddenBf16, ReadOnlySpan<int> topKIds, ReadOnlySpan<float> topKWeights, int tokens)
    {
        ValidateInputs(hiddenBf16, topKIds, topKWeights, tokens);
        var x = new double[hiddenBf16.Length];
        Bf16.ToDouble(hiddenBf16, x);
        var assignment = new ExpertAssignment(topKIds, Shape.Experts, Shape.TopK);
        var h = ComputeIntermediate(x, assignment, topKIds.Length);
        var y = new double[x.Length];
        AccumulateOutput(h, topKWeights.ToArray(), assignment, y);
        return y;
    }

    /// <summary>As <see cref="Forward(ReadOnlySpan{ushort}, ReadOnlySpan{int}, ReadOnlySpan{float}, int)"/>, with y rounded once to bf16 into <paramref name="outputBf16"/> [T, H].</summary>
    public void Forward(ReadOnlySpan<ushort> hiddenBf16, ReadOnlySpan<int> topKIds, ReadOnlySpan<float> topKWeights, int tokens, Span<ushort> outputBf16)
    {
        if (tokens > 0 && outputBf16.Length != (long)tokens * Shape.Hidden)
        {
            throw new ArgumentException($"expected {(long)tokens * Shape.Hidden} outputs ([{tokens}, {Shape.Hidden}]), got {outputBf16.Length}", nameof(outputBf16));
        }

        var y = Forward(hiddenBf16, topKIds, topKWeights, tokens);
        for (var i = 0; i < y.Length; i++)
        {
            outputBf16[i] = Bf16.FromDouble(y[i]);
        }
    }

    /// <summary>
    /// The first GEMM and the activation: h [T·k, I] (pair-major), every value rounded to bf16. Work items are
    /// (active expert, chunk of intermediate features), each decoding its W13 rows once for all of the expert's pairs.
    /// </summary>
    private double[] ComputeIntermediate(double[] x, ExpertAssignment assignment, int pairCount)
    {
        var (intermediate, activation) = (Shape.Intermediate, Shape.Activation);
        var gated = activation.IsGated();
        var chunks = (intermediate + IntermediateChunk - 1) / IntermediateChunk;
        var h = new double[(long)pairCount * intermediate];
        Parallel.For(
            0,
            assignment.ActiveExperts.Length * chunks,
            _parallel,
            () => new double[Shape.Hidden],
            (item, _, row) =>
            {
                var e = assignment.ActiveExperts[item / chunks];
                var expert = _weights.Experts[e];
                var first = item % chunks * IntermediateChunk;
                var width = Math.Min(IntermediateChunk, intermediate - first);
                var pairs = assignment.PairsOf(e);
                var gate = new double[pairs.Length * width];
                var up = gated ? new double[pairs.Length * width] : [];
                MultiplyRows(expert.W13, expert.Bias13, first, width, x, assignment.TokensOf(e), row, gate);
                if (gated)
                {
                    MultiplyRows(expert.W13, expert.Bias13, intermediate + first, width, x, assignment.TokensOf(e), row, up);
                }

                var activated = new double[width];
                for (var j = 0; j < pairs.Length; j++)
                {
                    ReferenceActivations.Apply(activation, gate.AsSpan(j * width, width), gated ? up.AsSpan(j * width, width) : default, activated);
                    var target = h.AsSpan((int)((long)pairs[j] * intermediate) + first, width);
                    for (var i = 0; i < width; i++)
                    {
                        target[i] = Bf16.ToFloat(Bf16.FromDouble(activated[i]));
                    }
                }

                return row;
            },
            _ => { });
        return h;
    }

    /// <summary>
    /// The second GEMM and the weighted sum: y[t, n] += w · (W2[e] row n · h + b2[n]). Work items are chunks of
    /// output features, each owning y[:, chunk] and visiting experts in ascending order, so no two items write the
    /// same element and the order of additions is fixed.
    /// </summary>
    private void AccumulateOutput(double[] h, float[] routeWeights, ExpertAssignment assignment, double[] y)
    {
        var hidden = Shape.Hidden;
        Parallel.For(
            0,
            (hidden + OutputChunk - 1) / OutputChunk,
            _parallel,
            () => new double[Shape.Intermediate],
            (item, _, row) =>
            {
                var first = item * OutputChunk;
                var width = Math.Min(OutputChunk, hidden - first);
                foreach (var e in assignment.ActiveExperts)
                {
                    var expert = _weights.Experts[e];
                    var pairs = assignment.PairsOf(e);
                    var outputs = new double[pairs.Length * width];
                    MultiplyRows(expert.W2, expert.Bias2, first, width, h, pairs, row, outputs);
                    for (var j = 0; j < pairs.Length; j++)
                    {
                        var weight = (double)routeWeights[pairs[j]];
                        var target = y.AsSpan((assignment.TokensOf(e)[j] * hidden) + first, width);
                        for (var n = 0; n < width; n++)
                        {
                            target[n] += weight * outputs[(j * width) + n];
                        }
                    }
                }

                return row;
            },
            _ => { });
    }

    /// <summary>
    /// Rows [first, first + count) of <paramref name="matrix"/> against the input rows <paramref name="inputRows"/> of
    /// the row-major <paramref name="inputs"/> ([*, K]): writes <c>global · (row · input) + bias[row]</c> to
    /// <paramref name="output"/>[j · count + r]. Each weight row is decoded once (exactly, without the global scale)
    /// into <paramref name="rowBuffer"/> and used for every input; its products with bf16 inputs are exact in float64,
    /// so the global scale is applied once to each float64 sum.
    /// </summary>
    private static void MultiplyRows(
        QuantizedMatrix matrix, float[]? bias, int first, int count, double[] inputs, ReadOnlySpan<int> inputRows, double[] rowBuffer, Span<double> output)
    {
        double global = matrix.GlobalScale;
        Span<double> dots = inputRows.Length <= 256 ? stackalloc double[inputRows.Length] : new double[inputRows.Length];
        for (var r = 0; r < count; r++)
        {
            WeightCodec.DequantizeRowUnscaled(matrix, first + r, rowBuffer);
            RowDots.Compute(rowBuffer, inputs, inputRows, dots);
            var offset = bias is null ? 0.0 : bias[first + r];
            for (var j = 0; j < dots.Length; j++)
            {
                output[(j * count) + r] = (global * dots[j]) + offset;
            }
        }
    }

    private void ValidateInputs(ReadOnlySpan<ushort> hiddenBf16, ReadOnlySpan<int> topKIds, ReadOnlySpan<float> topKWeights, int tokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokens);
        var (hidden, topK, experts) = (Shape.Hidden, Shape.TopK, Shape.Experts);
        if (hiddenBf16.Length != (long)tokens * hidden)
        {
            throw new ArgumentException($"expected {(long)tokens * hidden} hidden values ([{tokens}, {hidden}]), got {hiddenBf16.Length}", nameof(hiddenBf16));
        }

        if (topKIds.Length != (long)tokens * topK)
        {
            throw new ArgumentException($"expected {(long)tokens * topK} ids ([{tokens}, {topK}]), got {topKIds.Length}", nameof(topKIds));
        }

        if (topKWeights.Length != (long)tokens * topK)
        {
            throw new ArgumentException($"expected {(long)tokens * topK} weights ([{tokens}, {topK}]), got {topKWeights.Length}", nameof(topKWeights));
        }

        var bad = topKIds.IndexOfAnyExceptInRange(0, experts - 1);
        if (bad >= 0)
        {
            throw new ArgumentException(
                $"topKIds[{bad}] (token {bad / topK}, slot {bad % topK}) is {topKIds[bad]}; experts are 0..{experts - 1}", nameof(topKIds));
        }
    }
}
