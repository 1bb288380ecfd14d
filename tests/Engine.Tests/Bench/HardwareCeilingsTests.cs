using MoeTune.Abstractions.Problems;
using MoeTune.Engine.Bench.Ceilings;

namespace MoeTune.Engine.Tests.Bench;

public sealed class HardwareCeilingsTests
{
    private static readonly Ceiling Read = new(CeilingKind.ReadBandwidth, "sweep", 3e12, 1, null);
    private static readonly Ceiling Bf16 = new(CeilingKind.Bf16MatrixRate, "gemm", 7e14, 1, null);
    private static readonly Ceiling Fp8 = new(CeilingKind.Fp8MatrixRate, "gemm", 1.3e15, 1, null);

    [Theory]
    [InlineData(WeightFormat.Bf16, CeilingKind.Bf16MatrixRate)]
    [InlineData(WeightFormat.Nvfp4, CeilingKind.Bf16MatrixRate)]
    [InlineData(WeightFormat.Mxfp4, CeilingKind.Bf16MatrixRate)]
    [InlineData(WeightFormat.Fp8, CeilingKind.Fp8MatrixRate)]
    public void Each_format_is_bounded_by_the_tensor_cores_it_runs_on(WeightFormat format, CeilingKind expected)
    {
        var ceilings = new HardwareCeilings([Read, Bf16, Fp8]);
        Assert.Equal(expected, ceilings.MatrixRateFor(format)!.Kind);
        Assert.Same(Read, ceilings.ReadBandwidth);
    }

    [Fact]
    public void Fp8_falls_back_to_the_bf16_rate_and_missing_ceilings_give_none()
    {
        var noFp8 = new HardwareCeilings([Read, Bf16, Ceiling.Missing(CeilingKind.Fp8MatrixRate, "cuBLASLt", "absent")]);
        Assert.Same(Bf16, noFp8.MatrixRateFor(WeightFormat.Fp8));

        var nothing = new HardwareCeilings([Ceiling.Missing(CeilingKind.ReadBandwidth, "sweep", "no memory")]);
        Assert.Null(nothing.ReadBandwidth);
        Assert.Null(nothing.MatrixRateFor(WeightFormat.Bf16));
    }
}
