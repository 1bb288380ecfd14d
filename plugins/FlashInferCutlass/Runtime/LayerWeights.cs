using System.Runtime.ExceptionServices;
using MoeTune.Abstractions.Weights;
using MoeTune.Cuda.Driver;
using MoeTune.Plugins.FlashInferCutlass.Layout;

namespace MoeTune.Plugins.FlashInferCutlass.Runtime;

/// <summary>
/// A layer's weights on the device, converted once: every expert's W13 and W2 in the stored tile layout
/// (<see cref="ExpertWeightTiler"/>), expert after expert, and the per-expert global scales of each matrix.
/// </summary>
internal sealed class LayerWeights : IDisposable
{
    // Experts converted at once; each worker holds one expert's tiles on the host, so the count also keeps the
    // host buffers of all workers together under HostBudgetBytes.
    private const int MaxParallelExperts = 16;
    private const long HostBudgetBytes = 2L << 30;

    private LayerWeights(DeviceBuffer w13, DeviceBuffer w2, DeviceBuffer w13Scales, DeviceBuffer w2Scales)
    {
        W13 = w13;
        W2 = w2;
        W13Scales = w13Scales;
        W2Scales = w2Scales;
    }

    public DeviceBuffer W13 { get; }

    public DeviceBuffer W2 { get; }

    public DeviceBuffer W13Scales { get; }

    public DeviceBuffer W2Scales { get; }

    public long Bytes => W13.Bytes + W2.Bytes + W13Scales.Bytes + W2Scales.Bytes;

    public static LayerWeights Upload(CudaContext context, TileGeometry geometry, MoeWeights weights)
    {
        var experts = weights.Experts;
        var buffers = new List<DeviceBuffer>();
        try
        {
            var w13 = Track(buffers, DeviceBuffer.Allocate(context, geometry.W13BytesPerExpert * experts.Count));
            var w2 = Track(buffers, DeviceBuffer.Allocate(context, geometry.W2BytesPerExpert * experts.Count));
            var w13Scales = Track(buffers, DeviceBuffer.FromHost<float>(context, experts.Select(e => e.W13.GlobalScale).ToArray()));
            var w2Scales = Track(buffers, DeviceBuffer.FromHost<float>(context, experts.Select(e => e.W2.GlobalScale).ToArray()));
            var perExpert = geometry.W13BytesPerExpert + geometry.W2BytesPerExpert;
            var workers = (int)Math.Clamp(HostBudgetBytes / perExpert, 1, Math.Min(MaxParallelExperts, Environment.ProcessorCount));
            var options = new ParallelOptions { MaxDegreeOfParallelism = workers };
            Parallel.For(
                0,
                experts.Count,
                options,
                () => (W13: new byte[geometry.W13BytesPerExpert], W2: new byte[geometry.W2BytesPerExpert]),
                (e, _, host) =>
                {
                    ExpertWeightTiler.TileW13(geometry, experts[e], e, host.W13);
                    w13.Upload<byte>(host.W13, e * geometry.W13BytesPerExpert);
                    ExpertWeightTiler.TileW2(geometry, experts[e], e, host.W2);
                    w2.Upload<byte>(host.W2, e * geometry.W2BytesPerExpert);
                    return host;
                },
                _ => { });
            return new LayerWeights(w13, w2, w13Scales, w2Scales);
        }
        catch (AggregateException e)
        {
            // A worker's own error (a NaN block scale, an upload failure) names the expert; surface it, not the wrapper.
            buffers.ForEach(b => b.Dispose());
            ExceptionDispatchInfo.Throw(e.Flatten().InnerExceptions[0]);
            throw;
        }
        catch
        {
            buffers.ForEach(b => b.Dispose());
            throw;
        }
    }

    public void Dispose()
    {
        W13.Dispose();
        W2.Dispose();
        W13Scales.Dispose();
        W2Scales.Dispose();
    }

    private static DeviceBuffer Track(List<DeviceBuffer> buffers, DeviceBuffer buffer)
    {
        buffers.Add(buffer);
        return buffer;
    }
}
