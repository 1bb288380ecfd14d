using MoeTune.Reference.Formats;

namespace MoeTune.Engine.Accuracy;

/// <summary>How far a backend's bf16 output is from the float64 reference: the measure the correctness gate and the GPU suite use.</summary>
public static class RelativeError
{
    /// <summary>The tolerance for bf16 activations (DESIGN.md "Tuning", "Testing"): ‖y − ref‖_F / ‖ref‖_F ≤ 1e-2.</summary>
    public const double Bf16Tolerance = 1e-2;

    /// <summary>
    /// ‖y − ref‖_F / ‖ref‖_F, with y decoded from bf16. A NaN or infinity in y where the reference is finite gives +∞
    /// (a backend that leaves the poisoned output untouched, or overflows, fails); a zero reference gives ‖y‖_F, so that
    /// only zeros pass it. Where the reference itself is NaN or infinite (NaN or infinite inputs propagate, as IEEE
    /// arithmetic has it), y must be the same (NaN, or the infinity of the same sign) and the element is left out of
    /// the norms; anything else there gives +∞.
    /// </summary>
    public static double Frobenius(ReadOnlySpan<ushort> outputBf16, ReadOnlySpan<double> reference)
    {
        if (outputBf16.Length != reference.Length)
        {
            throw new ArgumentException($"output has {outputBf16.Length} elements, reference {reference.Length}");
        }

        double difference = 0, norm = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            double y = Bf16.ToFloat(outputBf16[i]);
            if (!double.IsFinite(reference[i]))
            {
                if (!(double.IsNaN(reference[i]) ? double.IsNaN(y) : y == reference[i]))
                {
                    return double.PositiveInfinity;
                }

                continue;
            }

            if (!double.IsFinite(y))
            {
                return double.PositiveInfinity;
            }

            var d = y - reference[i];
            difference += d * d;
            norm += reference[i] * reference[i];
        }

        return norm > 0 ? Math.Sqrt(difference / norm) : Math.Sqrt(difference);
    }
}
