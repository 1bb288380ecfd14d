using MoeTune.Abstractions.Problems;
using MoeTune.Cuda.Compilation;
using MoeTune.Cuda.Driver;

namespace MoeTune.Cuda.Primitives;

/// <summary>
/// Router top-k on the GPU: [T, E] fp32 logits to [T, k] int32 ids and fp32 weights, choosing exactly what
/// MoeTune.Reference's ReferenceRouter chooses (see routing_topk.cu). One launch, capturable in a graph.
/// </summary>
public sealed class TopKRouter : IDisposable
{
    /// <summary>Experts one warp tracks (32 lanes × a 32-bit mask).</summary>
    public const int MaxExperts = 1024;

    /// <summary>Slots one warp holds (one per lane).</summary>
    public const int MaxTopK = 32;

    private const int WarpsPerBlock = 4;
    private readonly CudaModule module;
    private readonly CudaFunction route;

    private TopKRouter(CudaModule module)
    {
        this.module = module;
        route = module.GetFunction("moetune_route_topk");
    }

    public static TopKRouter Load(KernelCompiler compiler, CudaContext context)
    {
        ArgumentNullException.ThrowIfNull(compiler);
        return new TopKRouter(compiler.Load(PrimitiveKernels.Routing, context));
    }

    /// <summary>Why this router cannot route <paramref name="spec"/> for E experts and top-k, or null when it can.</summary>
    public static string? Check(RoutingSpec spec, int experts, int topK)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (experts < 1 || experts > MaxExperts)
        {
            return $"the GPU router handles 1 to {MaxExperts} experts, not {experts}";
        }

        if (topK < 1 || topK > MaxTopK || topK > experts)
        {
            return $"the GPU router handles top-k from 1 to min({MaxTopK}, E = {experts}), not {topK}";
        }

        if (spec.Groups < 1 || spec.Groups > 32 || experts % spec.Groups != 0)
        {
            return $"{spec.Groups} expert groups: the GPU router needs 1 to 32 groups dividing E = {experts}";
        }

        if (spec.TopKGroups < 1 || spec.TopKGroups > spec.Groups || topK > spec.TopKGroups * (experts / spec.Groups))
        {
            return $"keeping {spec.TopKGroups} of {spec.Groups} groups leaves too few experts for top-{topK}";
        }

        return !double.IsFinite(spec.RoutedScalingFactor) || spec.RoutedScalingFactor <= 0
            ? $"the routed scaling factor must be positive and finite, got {spec.RoutedScalingFactor}"
            : null;
    }

    /// <summary>
    /// Enqueues routing of <paramref name="tokens"/> tokens. <paramref name="correctionBias"/> ([E] fp32) is required
    /// exactly when <see cref="RoutingSpec.UsesCorrectionBias"/>, and must be 0 otherwise. Logits must be finite.
    /// </summary>
    public void Route(RoutingSpec spec, int tokens, int experts, int topK, nint logits, nint correctionBias, nint ids, nint weights, nint stream)
    {
        var problem = Check(spec, experts, topK);
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(spec));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokens);
        if (spec.UsesCorrectionBias != (correctionBias != 0))
        {
            throw new ArgumentException(spec.UsesCorrectionBias
                ? "the routing spec uses a correction bias, but none was given"
                : "a correction bias was given, but the routing spec does not use one", nameof(correctionBias));
        }

        var arguments = new KernelArguments()
            .Add(logits).Add(correctionBias).Add(tokens).Add(experts).Add(topK)
            .Add((int)spec.Scoring).Add(spec.Renormalize ? 1 : 0).Add(spec.Groups).Add(spec.TopKGroups)
            .Add(spec.RoutedScalingFactor).Add(ids).Add(weights);
        var blocks = (tokens + WarpsPerBlock - 1) / WarpsPerBlock;
        route.Launch(new LaunchConfig(blocks, WarpsPerBlock * 32, WarpsPerBlock * experts * sizeof(double)), stream, arguments);
    }

    public void Dispose() => module.Dispose();
}
