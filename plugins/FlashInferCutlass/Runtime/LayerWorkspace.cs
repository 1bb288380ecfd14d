using MoeTune.Cuda.Driver;
using MoeTune.Plugins.FlashInferCutlass.Layout;

namespace MoeTune.Plugins.FlashInferCutlass.Runtime;

/// <summary>
/// Every device buffer a forward pass uses, sized once for the layer's largest token count: the routing results,
/// the intermediate (tiled) and the bf16 partials [T · k, H] that the combine kernel sums, and, only for a pipeline
/// whose GEMM1 does not gather itself, the gathered activations (tiled, one row per permuted entry).
/// </summary>
internal sealed class LayerWorkspace : IDisposable
{
    private readonly List<DeviceBuffer> buffers = [];
    private readonly CudaContext context;
    private readonly long activationBytes;
    private DeviceBuffer? activations;

    private LayerWorkspace(CudaContext context, long activationBytes)
    {
        this.context = context;
        this.activationBytes = activationBytes;
    }

    public DeviceBuffer RowOffsets { get; private set; } = null!;

    public DeviceBuffer TileOffsets { get; private set; } = null!;

    public DeviceBuffer TileExperts { get; private set; } = null!;

    public DeviceBuffer RowSources { get; private set; } = null!;

    public DeviceBuffer EntryRows { get; private set; } = null!;

    public DeviceBuffer Intermediate { get; private set; } = null!;

    public DeviceBuffer Partials { get; private set; } = null!;

    /// <summary>The gathered activations, allocated by the first call (pipelines with a separate gather kernel).</summary>
    public DeviceBuffer Activations => activations ??= Add(DeviceBuffer.Allocate(context, activationBytes));

    public long Bytes => buffers.Sum(b => b.Bytes);

    public RoutingBuffers Routing => new(RowOffsets.Address, TileOffsets.Address, TileExperts.Address, RowSources.Address, EntryRows.Address);

    public static LayerWorkspace Allocate(CudaContext context, TileGeometry geometry, int maxTokens)
    {
        var rows = geometry.MaxPermutedRows(maxTokens);
        var workspace = new LayerWorkspace(context, rows * geometry.HiddenKTiles * TileGeometry.RowBytes);
        try
        {
            var shape = geometry.Shape;
            var entries = (long)maxTokens * shape.TopK;
            workspace.RowOffsets = workspace.Add(DeviceBuffer.Allocate<int>(context, shape.Experts + 1));
            workspace.TileOffsets = workspace.Add(DeviceBuffer.Allocate<int>(context, shape.Experts + 1));
            workspace.TileExperts = workspace.Add(DeviceBuffer.Allocate<int>(context, geometry.MaxMTiles(maxTokens)));
            workspace.RowSources = workspace.Add(DeviceBuffer.Allocate<int>(context, rows));
            workspace.EntryRows = workspace.Add(DeviceBuffer.Allocate<int>(context, entries));
            workspace.Intermediate = workspace.Add(DeviceBuffer.Allocate(context, rows * geometry.IntermediateKTiles * TileGeometry.RowBytes));
            workspace.Partials = workspace.Add(DeviceBuffer.Allocate(context, entries * shape.Hidden * sizeof(ushort)));
            return workspace;
        }
        catch
        {
            workspace.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var buffer in buffers)
        {
            buffer.Dispose();
        }

        buffers.Clear();
        activations = null;
    }

    private DeviceBuffer Add(DeviceBuffer buffer)
    {
        buffers.Add(buffer);
        return buffer;
    }
}
