using MoeTune.Cuda.Compilation;
using MoeTune.Cuda.Driver;

namespace MoeTune.Cuda.Primitives;

/// <summary>Device buffers for one alignment, sized by <see cref="ExpertAlignmentLayout"/> (int32 elements).</summary>
/// <param name="SortedIds">[CapacitySlots].</param>
/// <param name="BlockExperts">[MaxBlocks].</param>
/// <param name="ExpertCounts">[E].</param>
/// <param name="ExpertOffsets">[E + 1]; the last entry is the padded total, read by the GEMM on the device.</param>
/// <param name="Workspace"><see cref="ExpertAlignmentLayout.WorkspaceBytes"/> bytes.</param>
/// <param name="AssignmentSlots">[T·k], or 0 when not wanted (the reduction's row map for outputs kept in slot order).</param>
public readonly record struct ExpertAlignmentBuffers(
    nint SortedIds, nint BlockExperts, nint ExpertCounts, nint ExpertOffsets, nint Workspace, nint AssignmentSlots = 0);

/// <summary>
/// Groups top-k assignments by expert on the GPU, each expert's run padded to a block (the permutation a grouped GEMM
/// reads): three launches on one stream, no host synchronisation, capturable in a graph. See expert_align.cu, and
/// <see cref="ExpertAlignmentModel"/> for the exact result.
/// </summary>
public sealed class ExpertAligner : IDisposable
{
    private const int WarpsPerBlock = 4;
    private const int ScanThreads = 1024;
    private readonly CudaModule module;
    private readonly CudaFunction count;
    private readonly CudaFunction scan;
    private readonly CudaFunction scatter;

    private ExpertAligner(CudaModule module)
    {
        this.module = module;
        count = module.GetFunction("moetune_align_count");
        scan = module.GetFunction("moetune_align_scan");
        scatter = module.GetFunction("moetune_align_scatter");
    }

    public static ExpertAligner Load(KernelCompiler compiler, CudaContext context)
    {
        ArgumentNullException.ThrowIfNull(compiler);
        return new ExpertAligner(compiler.Load(PrimitiveKernels.Alignment, context));
    }

    /// <summary>Enqueues the alignment of <paramref name="topKIds"/> ([T, k] int32 on the device) on <paramref name="stream"/>.</summary>
    public void Align(ExpertAlignmentLayout layout, nint topKIds, in ExpertAlignmentBuffers buffers, nint stream)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var workspaceCounts = buffers.Workspace;
        var workspaceOffsets = buffers.Workspace + (nint)(layout.WorkspaceBytes / 2);
        var chunkBlocks = (layout.Chunks + WarpsPerBlock - 1) / WarpsPerBlock;
        var perWarpShared = WarpsPerBlock * layout.Experts * sizeof(int);
        var arguments = new KernelArguments();

        arguments.Add(topKIds).Add(layout.Assignments).Add(layout.Experts).Add(workspaceCounts);
        count.Launch(new LaunchConfig(chunkBlocks, WarpsPerBlock * 32, perWarpShared), stream, arguments);

        arguments.Clear().Add(workspaceCounts).Add(layout.Assignments).Add(layout.Experts).Add(layout.BlockSize)
            .Add(layout.CapacitySlots).Add(layout.PadValue).Add(workspaceOffsets).Add(buffers.ExpertCounts)
            .Add(buffers.ExpertOffsets).Add(buffers.SortedIds).Add(buffers.BlockExperts);
        scan.Launch(new LaunchConfig(1, ScanThreads, (layout.Experts + 1) * sizeof(int)), stream, arguments);

        arguments.Clear().Add(topKIds).Add(layout.Assignments).Add(layout.Experts).Add(workspaceOffsets)
            .Add(buffers.SortedIds).Add(buffers.AssignmentSlots);
        scatter.Launch(new LaunchConfig(chunkBlocks, WarpsPerBlock * 32, perWarpShared), stream, arguments);
    }

    public void Dispose() => module.Dispose();
}
