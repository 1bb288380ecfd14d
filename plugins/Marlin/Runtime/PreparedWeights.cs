using System.Globalization;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;
using MoeTune.Cuda.Driver;
using MoeTune.Plugins.Marlin.Layout;
using MoeTune.Plugins.Marlin.Planning;

namespace MoeTune.Plugins.Marlin.Runtime;

/// <summary>
/// A layer's weights in Marlin's layout on the device: every expert's W13 and W2 records back to back (expert-major),
/// one epilogue factor per expert and matrix, and the biases (FP32, canonical row order) where the activation has them.
/// </summary>
internal sealed class PreparedWeights : IDisposable
{
    /// <summary>Host memory the reshuffle may hold at once (experts are reshuffled in parallel batches within it).</summary>
    private const long HostBudgetBytes = 1L << 30;

    private readonly List<DeviceBuffer> owned;

    private PreparedWeights(List<DeviceBuffer> owned, DeviceBuffer w13, DeviceBuffer w2, DeviceBuffer epilogue13, DeviceBuffer epilogue2, DeviceBuffer? bias13, DeviceBuffer? bias2)
    {
        this.owned = owned;
        W13 = w13;
        W2 = w2;
        Epilogue13 = epilogue13;
        Epilogue2 = epilogue2;
        Bias13 = bias13;
        Bias2 = bias2;
    }

    public DeviceBuffer W13 { get; }

    public DeviceBuffer W2 { get; }

    public DeviceBuffer Epilogue13 { get; }

    public DeviceBuffer Epilogue2 { get; }

    public DeviceBuffer? Bias13 { get; }

    public DeviceBuffer? Bias2 { get; }

    /// <summary>Device bytes of everything above.</summary>
    public long Bytes => owned.Sum(b => b.Bytes);

    /// <summary>Reshuffles every expert on the host (in parallel batches) and uploads the result to <paramref name="context"/>.</summary>
    public static PreparedWeights Upload(MoeWeights weights, LayerGeometry geometry, CudaContext context)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(geometry);
        var shape = geometry.Shape;
        var experts = shape.Experts;
        var owned = new List<DeviceBuffer>();
        try
        {
            var w13 = Own(owned, DeviceBuffer.Allocate(context, geometry.W13ExpertBytes * experts));
            var w2 = Own(owned, DeviceBuffer.Allocate(context, geometry.W2ExpertBytes * experts));
            var epilogue13 = new float[experts];
            var epilogue2 = new float[experts];
            var order13 = RowOrder.ForW13(shape);
            var order2 = RowOrder.Identity(shape.Hidden);
            var expertBytes = geometry.W13ExpertBytes + geometry.W2ExpertBytes;
            var batch = (int)Math.Clamp(HostBudgetBytes / expertBytes, 1, Environment.ProcessorCount);
            var host13 = Enumerable.Range(0, batch).Select(_ => new byte[geometry.W13ExpertBytes]).ToArray();
            var host2 = Enumerable.Range(0, batch).Select(_ => new byte[geometry.W2ExpertBytes]).ToArray();
            for (var first = 0; first < experts; first += batch)
            {
                var count = Math.Min(batch, experts - first);
                Parallel.For(0, count, i =>
                {
                    var e = first + i;
                    var expert = weights.Experts[e];
                    epilogue13[e] = WeightReshuffler.Reshuffle(expert.W13, order13, Location(e, "W13"), host13[i]);
                    epilogue2[e] = WeightReshuffler.Reshuffle(expert.W2, order2, Location(e, "W2"), host2[i]);
                });
                for (var i = 0; i < count; i++)
                {
                    w13.Upload<byte>(host13[i], (first + i) * geometry.W13ExpertBytes);
                    w2.Upload<byte>(host2[i], (first + i) * geometry.W2ExpertBytes);
                }
            }

            var e13 = Own(owned, DeviceBuffer.FromHost<float>(context, epilogue13));
            var e2 = Own(owned, DeviceBuffer.FromHost<float>(context, epilogue2));
            DeviceBuffer? bias13 = null, bias2 = null;
            if (shape.Activation.HasBiases())
            {
                bias13 = Own(owned, DeviceBuffer.FromHost<float>(context, Concatenate(weights, e => e.Bias13!)));
                bias2 = Own(owned, DeviceBuffer.FromHost<float>(context, Concatenate(weights, e => e.Bias2!)));
            }

            return new PreparedWeights(owned, w13, w2, e13, e2, bias13, bias2);
        }
        catch
        {
            foreach (var buffer in owned)
            {
                buffer.Dispose();
            }

            throw;
        }
    }

    public void Dispose()
    {
        foreach (var buffer in owned)
        {
            buffer.Dispose();
        }
    }

    private static DeviceBuffer Own(List<DeviceBuffer> owned, DeviceBuffer buffer)
    {
        owned.Add(buffer);
        return buffer;
    }

    private static string Location(int expert, string matrix) => string.Create(CultureInfo.InvariantCulture, $"expert {expert} {matrix}");

    private static float[] Concatenate(MoeWeights weights, Func<ExpertWeights, float[]> select) =>
        weights.Experts.SelectMany(select).ToArray();
}
