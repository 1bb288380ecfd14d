using System.Numerics;
using System.Runtime.InteropServices;

namespace MoeTune.Reference.Layer;

/// <summary>
/// Dot products of one decoded weight row with several input rows, in float64. Every dot is summed in the same order
/// (two vector accumulators over alternate vectors, then their lanes, then the scalar tail) whether it is computed
/// alone or four at a time, so a token's result never depends on which other tokens share its expert; the order
/// depends only on the machine's vector width.
/// </summary>
internal static class RowDots
{
    /// <summary>
    /// <paramref name="results"/>[j] = <paramref name="row"/> · <paramref name="inputs"/>[inputRows[j]], where
    /// <paramref name="inputs"/> is row-major with rows as long as <paramref name="row"/>.
    /// </summary>
    public static void Compute(ReadOnlySpan<double> row, double[] inputs, ReadOnlySpan<int> inputRows, Span<double> results)
    {
        var k = row.Length;
        var j = 0;

        // Four inputs at a time share each load of the weight row, halving the loads per multiply-add.
        for (; j + 4 <= inputRows.Length; j += 4)
        {
            Four(
                row,
                inputs.AsSpan(inputRows[j] * k, k),
                inputs.AsSpan(inputRows[j + 1] * k, k),
                inputs.AsSpan(inputRows[j + 2] * k, k),
                inputs.AsSpan(inputRows[j + 3] * k, k),
                results.Slice(j, 4));
        }

        for (; j < inputRows.Length; j++)
        {
            results[j] = One(row, inputs.AsSpan(inputRows[j] * k, k));
        }
    }

    private static double One(ReadOnlySpan<double> row, ReadOnlySpan<double> input)
    {
        var w = MemoryMarshal.Cast<double, Vector<double>>(row);
        var x = MemoryMarshal.Cast<double, Vector<double>>(input);
        Vector<double> even = default, odd = default;
        var v = 0;
        for (; v + 2 <= w.Length; v += 2)
        {
            even = Vector.FusedMultiplyAdd(w[v], x[v], even);
            odd = Vector.FusedMultiplyAdd(w[v + 1], x[v + 1], odd);
        }

        if (v < w.Length)
        {
            even = Vector.FusedMultiplyAdd(w[v], x[v], even);
        }

        return Tail(row, input, Vector.Sum(even + odd));
    }

    private static void Four(
        ReadOnlySpan<double> row, ReadOnlySpan<double> input0, ReadOnlySpan<double> input1, ReadOnlySpan<double> input2, ReadOnlySpan<double> input3, Span<double> results)
    {
        var w = MemoryMarshal.Cast<double, Vector<double>>(row);
        var x0 = MemoryMarshal.Cast<double, Vector<double>>(input0);
        var x1 = MemoryMarshal.Cast<double, Vector<double>>(input1);
        var x2 = MemoryMarshal.Cast<double, Vector<double>>(input2);
        var x3 = MemoryMarshal.Cast<double, Vector<double>>(input3);
        Vector<double> even0 = default, odd0 = default, even1 = default, odd1 = default;
        Vector<double> even2 = default, odd2 = default, even3 = default, odd3 = default;
        var v = 0;
        for (; v + 2 <= w.Length; v += 2)
        {
            var a = w[v];
            var b = w[v + 1];
            even0 = Vector.FusedMultiplyAdd(a, x0[v], even0);
            odd0 = Vector.FusedMultiplyAdd(b, x0[v + 1], odd0);
            even1 = Vector.FusedMultiplyAdd(a, x1[v], even1);
            odd1 = Vector.FusedMultiplyAdd(b, x1[v + 1], odd1);
            even2 = Vector.FusedMultiplyAdd(a, x2[v], even2);
            odd2 = Vector.FusedMultiplyAdd(b, x2[v + 1], odd2);
            even3 = Vector.FusedMultiplyAdd(a, x3[v], even3);
            odd3 = Vector.FusedMultiplyAdd(b, x3[v + 1], odd3);
        }

        if (v < w.Length)
        {
            even0 = Vector.FusedMultiplyAdd(w[v], x0[v], even0);
            even1 = Vector.FusedMultiplyAdd(w[v], x1[v], even1);
            even2 = Vector.FusedMultiplyAdd(w[v], x2[v], even2);
            even3 = Vector.FusedMultiplyAdd(w[v], x3[v], even3);
        }

        results[0] = Tail(row, input0, Vector.Sum(even0 + odd0));
        results[1] = Tail(row, input1, Vector.Sum(even1 + odd1));
        results[2] = Tail(row, input2, Vector.Sum(even2 + odd2));
        results[3] = Tail(row, input3, Vector.Sum(even3 + odd3));
    }

    /// <summary>Adds the elements past the last whole vector, in order.</summary>
    private static double Tail(ReadOnlySpan<double> row, ReadOnlySpan<double> input, double sum)
    {
        for (var i = row.Length - (row.Length % Vector<double>.Count); i < row.Length; i++)
        {
            sum += row[i] * input[i];
        }

        return sum;
    }
}
