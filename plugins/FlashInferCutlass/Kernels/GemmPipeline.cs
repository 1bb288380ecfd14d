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

/// <summary>How a format's weights reach the tensor cores (<c>FIC_FRAGMENTS</c>, kernels/fic_form.cuh).</summary>
public enum WeightOperand
{
    /// <summary>Weight tiles are wgmma's B in shared memory (NVFP4 first converted to bf16 tiles there by the consumers); tokens are A, 128 per tile.</summary>
    SharedMemoryTiles = 0,

    /// <summary>Each consumer thread loads its weights into wgmma's A registers (NVFP4 converted on the way); tokens are B, up to 256 per tile.</summary>
    RegisterFragments = 1,
}

/// <summary>
/// One way to run the grouped GEMMs: where GEMM1's tokens come from and, for NVFP4 weights, how they become bf16. The
/// layer uses <see cref="DefaultFor"/> its weight format; the others stay buildable (the compile gate builds every one) so that a timing run
/// can measure what each step is worth on the same weights (tools/gemm-timer). All schedule work dynamically
/// (kernels/fic_schedule.cuh).
/// </summary>
public sealed record GemmPipeline(
    string Name, TokenGather Gather, WeightOperand Fp4, WeightOperand Bf16 = WeightOperand.SharedMemoryTiles, bool Bf16Pairs = false)
{
    /// <summary>The second version's pipeline: a gather kernel, NVFP4 converted to bf16 tiles in shared memory.</summary>
    public static GemmPipeline SeparateGather { get; } = new("separate-gather", TokenGather.SeparateKernel, WeightOperand.SharedMemoryTiles);

    /// <summary>As <see cref="SeparateGather"/> with the gather done by GEMM1's producer warpgroup.</summary>
    public static GemmPipeline FusedGather { get; } = new("fused-gather", TokenGather.InFirstGemm, WeightOperand.SharedMemoryTiles);

    /// <summary>The gather in GEMM1 and NVFP4 weights as register fragments (bf16 weights run as in <see cref="FusedGather"/>).</summary>
    public static GemmPipeline RegisterFp4 { get; } = new("register-fp4", TokenGather.InFirstGemm, WeightOperand.RegisterFragments);

    /// <summary>
    /// NVFP4 weights as register fragments with the tokens from the gather kernel (bf16 weights run as in
    /// <see cref="SeparateGather"/>): the gathering producer held GEMM1 back by up to 40 % with bf16's fast consumers.
    /// </summary>
    public static GemmPipeline RegisterFp4SeparateGather { get; } =
        new("register-fp4-separate-gather", TokenGather.SeparateKernel, WeightOperand.RegisterFragments);

    /// <summary>
    /// Both formats as register fragments, tokens from the gather kernel (round 5): for NVFP4 the same kernels as
    /// <see cref="RegisterFp4SeparateGather"/>; bf16 weights are loaded from shared memory into wgmma's A registers, so
    /// a tile is 128 weight rows by up to 256 tokens and an expert's last, partly filled m-tile costs by its 64-row
    /// blocks, not a whole 128-token tile.
    /// </summary>
    public static GemmPipeline Fragments { get; } =
        new("fragments", TokenGather.SeparateKernel, WeightOperand.RegisterFragments, WeightOperand.RegisterFragments);

    /// <summary>
    /// As <see cref="SeparateGather"/> for bf16, with the CTAs in clusters of two (session 4): the two take neighbouring
    /// work items, in list order two m-tiles of one expert and one n-tile, and each copies half of their common weight
    /// tile into both (TMA multicast), so the SMs read 32 of a stage's 48 KiB per CTA from L2 instead of 48 (ncu put the L2
    /// of qwen3-235b's and deepseek-v3's bf16 GEMMs at 82-97 % of its throughput). NVFP4 runs as <see cref="Fragments"/>.
    /// </summary>
    public static GemmPipeline TilePairs { get; } =
        new("tile-pairs", TokenGather.SeparateKernel, WeightOperand.RegisterFragments, WeightOperand.SharedMemoryTiles, Bf16Pairs: true);

    /// <summary>Every pipeline, the bf16 default first.</summary>
    public static IReadOnlyList<GemmPipeline> All { get; } = [SeparateGather, FusedGather, RegisterFp4, RegisterFp4SeparateGather, Fragments, TilePairs];

    /// <summary>
    /// What the layer runs for weights of <paramref name="format"/>, the fastest measured on an H100 (NOTES.md, rounds 4 and
    /// 5). NVFP4: <see cref="Fragments"/> (the kernels of <see cref="RegisterFp4SeparateGather"/>), fastest in all six
    /// timed cases, 0.73-1.02 × the bf16 time. bf16: <see cref="SeparateGather"/>, fastest in four of six; bf16
    /// <see cref="Fragments"/> was 4-6 % faster on mixtral-8x7b (many tokens per expert) and 1-7 % slower on qwen3-235b
    /// and deepseek-v3 (<see cref="EnvironmentVariable"/> picks it).
    /// </summary>
    public static GemmPipeline DefaultFor(WeightFormat format) => format == WeightFormat.Nvfp4 ? Fragments : SeparateGather;

    /// <summary>Names the pipeline a layer runs instead of <see cref="DefaultFor"/> its format (for comparing pipelines on one GPU).</summary>
    public const string EnvironmentVariable = "MOETUNE_FIC_PIPELINE";

    /// <summary>
    /// What a layer of <paramref name="format"/> runs: the pipeline <paramref name="environment"/> (the value of
    /// <see cref="EnvironmentVariable"/>, null or blank when unset) names, else <see cref="DefaultFor"/> the format. A name
    /// that is no pipeline is an error naming the variable, never a quiet fallback.
    /// </summary>
    public static GemmPipeline Choose(WeightFormat format, string? environment)
    {
        if (string.IsNullOrWhiteSpace(environment)) return DefaultFor(format);
        try
        {
            return Parse(environment.Trim());
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{EnvironmentVariable}: {e.Message}", nameof(environment), e);
        }
    }

    /// <summary><see cref="Choose"/> with this process's <see cref="EnvironmentVariable"/>.</summary>
    public static GemmPipeline ForLayer(WeightFormat format) => Choose(format, Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>The pipeline called <paramref name="name"/>; throws listing the names when there is none.</summary>
    public static GemmPipeline Parse(string name) => All.FirstOrDefault(p => p.Name == name)
        ?? throw new ArgumentException($"unknown grouped GEMM pipeline '{name}'; known: {string.Join(", ", All.Select(p => p.Name))}", nameof(name));

    /// <summary>How this pipeline stores weights of <paramref name="format"/> on the device.</summary>
    public WeightLayout LayoutFor(WeightFormat format) =>
        OperandFor(format) == WeightOperand.RegisterFragments ? WeightLayout.Fragments : WeightLayout.Tiles;

    /// <summary>How this pipeline hands weights of <paramref name="format"/> to the tensor cores.</summary>
    public WeightOperand OperandFor(WeightFormat format) => format == WeightFormat.Nvfp4 ? Fp4 : Bf16;

    public override string ToString() => Name;
}
