using MoeTune.Abstractions.Problems;
using MoeTune.Plugins.FlashInferCutlass.Layout;

namespace MoeTune.Plugins.FlashInferCutlass.Kernels;

/// <summary>Where GEMM1's token rows come from (<c>FIC_GATHER</c>, kernels/fic_producer.cuh).</summary>
public enum TokenGather
{
    /// <summary>A gather kernel writes the tokens pre-tiled in expert order (Xp); GEMM1 bulk-copies them.</summary>
    SeparateKernel = 0,

    /// <summary>GEMM1's producer warpgroup copies each token row from the hidden states itself (cp.async): no Xp round trip, no launch.</summary>
    InFirstGemm = 1,
}

/// <summary>How the GEMMs turn NVFP4 weights into bf16 wgmma operands (<c>FIC_FP4_PATH</c>, kernels/fic_form.cuh).</summary>
public enum Fp4Path
{
    /// <summary>The consumer warpgroups convert each stage's tile into a bf16 tile in shared memory (wgmma's B), tokens are A.</summary>
    SharedMemoryTiles = 0,

    /// <summary>Each consumer thread converts its weights straight into wgmma's A registers; tokens are B, up to 256 per tile.</summary>
    RegisterFragments = 1,
}

/// <summary>
/// One way to run the grouped GEMMs: where GEMM1's tokens come from and, for NVFP4 weights, how they become bf16. The
/// layer uses <see cref="DefaultFor"/> its weight format; the others stay buildable (the compile gate builds every one) so that a timing run
/// can measure what each step is worth on the same weights (tools/gemm-timer). All schedule work dynamically
/// (kernels/fic_schedule.cuh).
/// </summary>
public sealed record GemmPipeline(string Name, TokenGather Gather, Fp4Path Fp4)
{
    /// <summary>The second version's pipeline: a gather kernel, NVFP4 converted to bf16 tiles in shared memory.</summary>
    public static GemmPipeline SeparateGather { get; } = new("separate-gather", TokenGather.SeparateKernel, Fp4Path.SharedMemoryTiles);

    /// <summary>As <see cref="SeparateGather"/> with the gather done by GEMM1's producer warpgroup.</summary>
    public static GemmPipeline FusedGather { get; } = new("fused-gather", TokenGather.InFirstGemm, Fp4Path.SharedMemoryTiles);

    /// <summary>The gather in GEMM1 and NVFP4 weights as register fragments (bf16 weights run as in <see cref="FusedGather"/>).</summary>
    public static GemmPipeline RegisterFp4 { get; } = new("register-fp4", TokenGather.InFirstGemm, Fp4Path.RegisterFragments);

    /// <summary>
    /// NVFP4 weights as register fragments with the tokens from the gather kernel (bf16 weights run as in
    /// <see cref="SeparateGather"/>): the gathering producer held GEMM1 back by up to 40 % with bf16's fast consumers.
    /// </summary>
    public static GemmPipeline RegisterFp4SeparateGather { get; } =
        new("register-fp4-separate-gather", TokenGather.SeparateKernel, Fp4Path.RegisterFragments);

    /// <summary>Every pipeline, the bf16 default first.</summary>
    public static IReadOnlyList<GemmPipeline> All { get; } = [SeparateGather, FusedGather, RegisterFp4, RegisterFp4SeparateGather];

    /// <summary>
    /// What the layer runs for weights of <paramref name="format"/>: the fastest pipeline measured on an H100 (NOTES.md,
    /// round 4). bf16: <see cref="SeparateGather"/>, fastest in five of six timed cases (register-fp4-separate-gather,
    /// the same bf16 kernels, by 0.4 % in the sixth). NVFP4: <see cref="RegisterFp4SeparateGather"/>, fastest in all six,
    /// 0.74-1.08 × the bf16 time where the converted tiles took 1.02-1.34 ×.
    /// </summary>
    public static GemmPipeline DefaultFor(WeightFormat format) => format == WeightFormat.Nvfp4 ? RegisterFp4SeparateGather : SeparateGather;

    /// <summary>The pipeline called <paramref name="name"/>; throws listing the names when there is none.</summary>
    public static GemmPipeline Parse(string name) => All.FirstOrDefault(p => p.Name == name)
        ?? throw new ArgumentException($"unknown grouped GEMM pipeline '{name}'; known: {string.Join(", ", All.Select(p => p.Name))}", nameof(name));

    /// <summary>How this pipeline stores weights of <paramref name="format"/> on the device.</summary>
    public WeightLayout LayoutFor(WeightFormat format) =>
        format == WeightFormat.Nvfp4 && Fp4 == Fp4Path.RegisterFragments ? WeightLayout.Fragments : WeightLayout.Tiles;

    public override string ToString() => Name;
}
