using MoeTune.Abstractions.Problems;
using MoeTune.Plugins.FlashInferCutlass.Kernels;

namespace MoeTune.Tools.GemmTimer;

/// <summary>
/// One timed (preset, format, T, pipeline): milliseconds per forward (over both input sets, and the median of each set
/// apart, so that a spread that depends on the routing shows as such), per stage and input set, and the sampled error
/// against the reference.
/// </summary>
internal sealed record CaseResult(
    string Preset,
    WeightFormat Format,
    int Tokens,
    GemmPipeline Pipeline,
    double MedianMs,
    double MinMs,
    IReadOnlyList<double> SetMedianMs,
    double UsefulFlops,
    double FloorMs,
    IReadOnlyList<IReadOnlyList<double>> StageMsPerSet,
    double Error)
{
    public double Tflops => UsefulFlops / (MedianMs * 1e-3) / 1e12;

    public bool Correct => Error <= ReferenceSample.Tolerance;
}
