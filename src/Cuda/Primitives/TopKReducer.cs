using MoeTune.Cuda.Compilation;
using MoeTune.Cuda.Driver;

namespace MoeTune.Cuda.Primitives;

/// <summary>
/// The weighted top-k reduction back to [T, H] bf16, deterministic (f32 fused multiply-adds in slot order, one
/// rounding to bf16); see topk_reduce.cu. One launch, capturable in a graph.
/// </summary>
public sealed class TopKReducer : IDisposable
{
    private const int Threads = 128;
    private const int ElementsPerThread = 8;
    private readonly CudaModule module;
    private readonly CudaFunction reduce;

    private TopKReducer(CudaModule module)
    {
        this.module = module;
        reduce = module.GetFunction("moetune_topk_reduce_bf16");
    }

    public static TopKReducer Load(KernelCompiler compiler, CudaContext context)
    {
        ArgumentNullException.ThrowIfNull(compiler);
        return new TopKReducer(compiler.Load(PrimitiveKernels.Reduction, context));
    }

    /// <summary>
    /// Enqueues <c>output[t] = Σ_j weights[t·k+j] · expertOutputs[row(t, j)]</c>, where row(t, j) is
    /// <paramref name="rows"/>[t·k+j] when given (for example <see cref="ExpertAlignmentBuffers.AssignmentSlots"/>; a negative
    /// row is skipped) and t·k+j when 0. <paramref name="weights"/> 0 means weight 1. H must be a multiple of 8 and the
    /// bf16 buffers 16-byte aligned.
    /// </summary>
    public void Reduce(int tokens, int topK, int hidden, nint expertOutputs, nint weights, nint rows, nint output, nint stream)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokens);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(topK);
        if (hidden <= 0 || hidden % ElementsPerThread != 0)
        {
            throw new ArgumentException($"the reduction needs a positive hidden size divisible by {ElementsPerThread}, got {hidden}", nameof(hidden));
        }

        if (expertOutputs % 16 != 0 || output % 16 != 0)
        {
            throw new ArgumentException("the reduction's bf16 buffers must be 16-byte aligned");
        }

        var arguments = new KernelArguments()
            .Add(expertOutputs).Add(weights).Add(rows).Add(tokens).Add(topK).Add(hidden).Add(output);
        var columnBlocks = (hidden / ElementsPerThread + Threads - 1) / Threads;
        reduce.Launch(new LaunchConfig(new Dim3(tokens, columnBlocks), Threads), stream, arguments);
    }

    public void Dispose() => module.Dispose();
}
