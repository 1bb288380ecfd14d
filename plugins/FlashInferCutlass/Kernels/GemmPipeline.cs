namespace MoeTune.Plugins.FlashInferCutlass.Kernels;

/// <summary>How CTAs of the grouped GEMM take work items (<c>FIC_SCHEDULER</c>, kernels/fic_schedule.cuh).</summary>
public enum WorkScheduling
{
    /// <summary>CTA b takes items b, b + G, b + 2G, … of the G CTAs' shared list.</summary>
    Static = 0,

    /// <summary>CTA b takes item b, then the next item a global counter hands out: items start in list order whatever each costs.</summary>
    Dynamic = 1,
}

/// <summary>Which warps turn NVFP4 weight tiles into bf16 in shared memory (<c>FIC_CONVERTER</c>, kernels/fic_pipeline.cuh).</summary>
public enum Fp4Conversion
{
    /// <summary>Warps 1-3 of the producer warpgroup, one ring stage ahead of the consumers.</summary>
    ProducerWarps = 0,

    /// <summary>The 256 consumer threads convert stage i + 1 while the tensor cores multiply stage i.</summary>
    ConsumerWarpgroups = 1,
}

/// <summary>
/// One way to run the grouped GEMM's pipeline: its work scheduling and, for NVFP4 weights, who converts them. The
/// layer uses <see cref="Default"/>; the others stay buildable (the compile gate builds every one) so that a timing run
/// can measure what each choice is worth on the same weights (tools/gemm-timer).
/// </summary>
public sealed record GemmPipeline(string Name, WorkScheduling Scheduling, Fp4Conversion Conversion)
{
    public static GemmPipeline DynamicConsumer { get; } = new("dynamic-consumer", WorkScheduling.Dynamic, Fp4Conversion.ConsumerWarpgroups);

    public static GemmPipeline StaticConsumer { get; } = new("static-consumer", WorkScheduling.Static, Fp4Conversion.ConsumerWarpgroups);

    public static GemmPipeline DynamicProducer { get; } = new("dynamic-producer", WorkScheduling.Dynamic, Fp4Conversion.ProducerWarps);

    /// <summary>The first version's pipeline: static scheduling, NVFP4 converted by the producer warpgroup.</summary>
    public static GemmPipeline StaticProducer { get; } = new("static-producer", WorkScheduling.Static, Fp4Conversion.ProducerWarps);

    /// <summary>What the layer runs.</summary>
    public static GemmPipeline Default => DynamicConsumer;

    /// <summary>Every pipeline, the default first.</summary>
    public static IReadOnlyList<GemmPipeline> All { get; } = [DynamicConsumer, StaticConsumer, DynamicProducer, StaticProducer];

    /// <summary>The pipeline called <paramref name="name"/>; throws listing the names when there is none.</summary>
    public static GemmPipeline Parse(string name) => All.FirstOrDefault(p => p.Name == name)
        ?? throw new ArgumentException($"unknown grouped GEMM pipeline '{name}'; known: {string.Join(", ", All.Select(p => p.Name))}", nameof(name));

    public override string ToString() => Name;
}
