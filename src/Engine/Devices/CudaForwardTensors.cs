using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Tensors;
using MoeTune.Cuda.Driver;

namespace MoeTune.Engine.Devices;

/// <summary>
/// Forward tensors in device memory. Uploads and fills run on the legacy default stream, which a non-blocking stream
/// (the tuner's) does not wait for, so each ends with a context synchronisation: they happen outside timed regions.
/// </summary>
internal sealed class CudaForwardTensors : ForwardTensors
{
    private readonly CudaContext _context;
    private readonly DeviceBuffer _hidden;
    private readonly DeviceBuffer _ids;
    private readonly DeviceBuffer _weights;
    private readonly DeviceBuffer _output;

    public CudaForwardTensors(CudaContext context, MoeShape shape, int tokens)
        : base(shape, tokens)
    {
        _context = context;
        var buffers = new List<DeviceBuffer>(4);
        try
        {
            buffers.Add(_hidden = DeviceBuffer.Allocate<ushort>(context, (long)tokens * shape.Hidden));
            buffers.Add(_ids = DeviceBuffer.Allocate<int>(context, (long)tokens * shape.TopK));
            buffers.Add(_weights = DeviceBuffer.Allocate<float>(context, (long)tokens * shape.TopK));
            buffers.Add(_output = DeviceBuffer.Allocate<ushort>(context, (long)tokens * shape.Hidden));
        }
        catch
        {
            // Out of device memory part-way: give back what was allocated before rethrowing.
            buffers.ForEach(b => b.Dispose());
            throw;
        }
    }

    public override TensorRef Hidden => _hidden.AsTensor(DType.Bf16, Tokens, Shape.Hidden);

    public override TensorRef TopKIds => _ids.AsTensor(DType.I32, Tokens, Shape.TopK);

    public override TensorRef TopKWeights => _weights.AsTensor(DType.F32, Tokens, Shape.TopK);

    public override TensorRef Output => _output.AsTensor(DType.Bf16, Tokens, Shape.Hidden);

    public override void PoisonOutput()
    {
        _output.Fill(Bf16NaN);
        _context.Synchronize();
    }

    protected override void WriteCore(ReadOnlySpan<ushort> hidden, ReadOnlySpan<int> topKIds, ReadOnlySpan<float> topKWeights)
    {
        _hidden.Upload(hidden);
        _ids.Upload(topKIds);
        _weights.Upload(topKWeights);
        _context.Synchronize();
    }

    protected override void ReadOutputCore(Span<ushort> destination) => _output.Download(destination);

    protected override void Dispose(bool disposing)
    {
        _output.Dispose();
        _weights.Dispose();
        _ids.Dispose();
        _hidden.Dispose();
    }
}
