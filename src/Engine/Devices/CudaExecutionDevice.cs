using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Cuda.Driver;

namespace MoeTune.Engine.Devices;

/// <summary>
/// A CUDA GPU: its primary context, made current on the opening thread (plugins prepare on the current context), and
/// the tuner's own non-blocking stream, so that timings see no other work.
/// </summary>
internal sealed class CudaExecutionDevice : IExecutionDevice
{
    private readonly CudaContext _context;
    private readonly CudaStream _stream;

    public CudaExecutionDevice(CudaDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        Info = device.ToDeviceInfo();
        _context = device.RetainPrimaryContext();
        try
        {
            _context.MakeCurrent();
            _stream = CudaStream.Create(_context);
        }
        catch
        {
            _context.Dispose();
            throw;
        }
    }

    public DeviceInfo Info { get; }

    public nint Stream => _stream.Handle;

    public ForwardTensors AllocateTensors(MoeShape shape, int tokens) => new CudaForwardTensors(_context, shape, tokens);

    public PrepareContext PrepareContext(int maxTokens)
    {
        _context.MakeCurrent();
        return new PrepareContext(Info, maxTokens, _stream.Handle);
    }

    public void Synchronize() => _stream.Synchronize();

    public IForwardSampler CreateSampler(IPreparedMoeLayer layer, IReadOnlyList<ForwardTensors> rotation, bool? graphReplay = null) =>
        graphReplay ?? rotation[0].Tokens <= CudaEventSampler.GraphTokenLimit
            ? CudaEventSampler.WithGraph(_context, _stream, layer, rotation)
            : CudaEventSampler.Direct(_context, _stream, layer, rotation);

    public void Dispose()
    {
        _stream.Dispose();
        _context.Dispose();
    }
}
