using System.Buffers.Binary;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;
using MoeTune.Reference.Formats;

namespace MoeTune.Reference.Tests.Layer;

/// <summary>
/// A deliberately naive MoE layer to check <c>ReferenceMoeLayer</c> against: scalar loops over tokens, slots and
/// every weight, each matrix dequantised whole from its raw bytes into float64, and the activations written out
/// from their definitions. Only the scalar code decoders (tested exhaustively) and bf16 rounding are shared.
/// </summary>
internal static class NaiveMoeLayer
{
    public static double[] Forward(MoeWeights weights, ushort[] hidden, int[] ids, float[] routeWeights, int tokens)
    {
        var shape = weights.Shape;
        var (h, inter, k) = (shape.Hidden, shape.Intermediate, shape.TopK);
        var w13 = weights.Experts.Select(e => Dequantize(e.W13)).ToArray();
        var w2 = weights.Experts.Select(e => Dequantize(e.W2)).ToArray();
        var y = new double[tokens * h];
        for (var t = 0; t < tokens; t++)
        {
            var x = new double[h];
            for (var c = 0; c < h; c++)
            {
                x[c] = BitConverter.UInt32BitsToSingle((uint)hidden[(t * h) + c] << 16);
            }

            for (var slot = 0; slot < k; slot++)
            {
                var e = ids[(t * k) + slot];
                var expert = weights.Experts[e];
                var pre = new double[shape.W13Rows];
                for (var r = 0; r < shape.W13Rows; r++)
                {
                    pre[r] = expert.Bias13?[r] ?? 0.0;
                    for (var c = 0; c < h; c++)
                    {
                        pre[r] += w13[e][r, c] * x[c];
                    }
                }

                var act = new double[inter];
                for (var i = 0; i < inter; i++)
                {
                    var value = shape.Activation switch
                    {
                        Activation.SwiGlu => pre[i] * Sigmoid(pre[i]) * pre[inter + i],
                        Activation.ReluSquared => pre[i] > 0 ? pre[i] * pre[i] : 0,
                        _ => ClampedSwiGlu(pre[i], pre[inter + i]),
                    };
                    act[i] = Bf16.ToFloat(Bf16.FromDouble(value));
                }

                for (var n = 0; n < h; n++)
                {
                    var sum = expert.Bias2?[n] ?? 0.0;
                    for (var i = 0; i < inter; i++)
                    {
                        sum += w2[e][n, i] * act[i];
                    }

                    y[(t * h) + n] += routeWeights[(t * k) + slot] * sum;
                }
            }
        }

        return y;
    }

    private static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));

    private static double ClampedSwiGlu(double gate, double up)
    {
        var g = gate < 7 ? gate : 7;
        var u = up < -7 ? -7 : up > 7 ? 7 : up;
        return g * Sigmoid(1.702 * g) * (u + 1);
    }

    /// <summary>Every element as the exact real the format defines, in float64.</summary>
    private static double[,] Dequantize(QuantizedMatrix m)
    {
        var result = new double[m.Rows, m.Cols];
        for (var r = 0; r < m.Rows; r++)
        {
            for (var c = 0; c < m.Cols; c++)
            {
                var i = (r * m.Cols) + c;
                result[r, c] = m.Format switch
                {
                    WeightFormat.Bf16 => BitConverter.UInt32BitsToSingle((uint)BinaryPrimitives.ReadUInt16LittleEndian(m.Data.AsSpan(2 * i)) << 16),
                    WeightFormat.Fp8 => E4M3.Decode(m.Data[i]) * (double)m.GlobalScale,
                    WeightFormat.Nvfp4 => Nibble(m.Data, i) * (double)E4M3.Decode(m.Scales[i / 16]) * m.GlobalScale,
                    _ => Nibble(m.Data, i) * (double)E8M0.Decode(m.Scales[i / 32]),
                };
            }
        }

        return result;
    }

    private static double Nibble(byte[] data, int index) => E2M1.Decode((byte)((index % 2 == 0 ? data[index / 2] : data[index / 2] >> 4) & 0x0F));
}
