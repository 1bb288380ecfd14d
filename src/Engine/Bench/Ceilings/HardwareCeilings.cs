using System.Text.Json.Serialization;
using MoeTune.Abstractions.Problems;

namespace MoeTune.Engine.Bench.Ceilings;

/// <summary>The ceilings measured in this run on this device, and which of them bound a problem's roofline floor.</summary>
public sealed record HardwareCeilings(IReadOnlyList<Ceiling> All)
{
    public Ceiling? Find(CeilingKind kind) => All.FirstOrDefault(c => c.Kind == kind);

    /// <summary>The memory side of every floor: the read-only sweep's bandwidth, where it was measured.</summary>
    [JsonIgnore]
    public Ceiling? ReadBandwidth => Find(CeilingKind.ReadBandwidth) is { IsAvailable: true } c ? c : null;

    /// <summary>
    /// The compute side of the floor for weights in <paramref name="format"/>: FP8 weights run W8A8 at the FP8 rate;
    /// bf16 and 4-bit weights run with bf16 activations on bf16 tensor cores (Hopper has no FP4 ones; DESIGN.md
    /// "Number formats"). Where the FP8 rate is missing the bf16 rate stands in (a looser floor) and the caller says so.
    /// </summary>
    public Ceiling? MatrixRateFor(WeightFormat format)
    {
        var bf16 = Find(CeilingKind.Bf16MatrixRate) is { IsAvailable: true } b ? b : null;
        return format == WeightFormat.Fp8 && Find(CeilingKind.Fp8MatrixRate) is { IsAvailable: true } fp8 ? fp8 : bf16;
    }
}
