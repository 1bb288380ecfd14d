using MoeTune.Models.Numerics;
using MoeTune.Reference.Formats;

namespace MoeTune.Models.Tests.Numerics;

public sealed class E4M3RescalingTests
{
    [Fact]
    public void Power_of_two_rescale_shifts_the_exponent_exactly()
    {
        byte[] codes = [0x38, 0xB9, 0x00, 0x80, 0x50, 0x10];
        var rescaled = new byte[codes.Length];

        // x · 0.25 = x' · 0.5, so x' = x / 2: one exponent step down for normal numbers; ±0 stay as they are.
        Assert.Equal(-1, E4M3Rescaling.TryRescale(codes, 0.25f, 0.5f, rescaled));

        Assert.Equal(new byte[] { 0x30, 0xB1, 0x00, 0x80, 0x48, 0x08 }, rescaled);
        for (var i = 0; i < codes.Length; i++) Assert.Equal(E4M3.Decode(codes[i]) * 0.25, E4M3.Decode(rescaled[i]) * 0.5);
    }

    [Fact]
    public void Rescale_into_subnormals_is_exact_only_while_their_bits_suffice()
    {
        byte[] codes = [0x08, 0x0C]; // 2^-6 and 1.5·2^-6
        var rescaled = new byte[2];

        // ÷4: 2^-8 = 2·2^-9 and 1.5·2^-8 = 3·2^-9, both subnormals.
        Assert.Equal(-1, E4M3Rescaling.TryRescale(codes, 1f, 4f, rescaled));
        Assert.Equal(new byte[] { 0x02, 0x03 }, rescaled);

        // ÷8: 1.5·2^-9 is not a multiple of 2^-9, so the second code has no exact counterpart.
        Assert.Equal(1, E4M3Rescaling.TryRescale(codes, 1f, 8f, rescaled));
    }

    [Theory]
    [InlineData(0x7E, 1f, 0.5f)] // 448 · 2 overflows
    [InlineData(0x39, 3f, 1f)] // 1.125 · 3 = 3.375 needs five significant bits
    [InlineData(0x7F, 1f, 1f)] // NaN has no counterpart
    [InlineData(0x01, 1f, 2f)] // the smallest subnormal cannot be halved
    public void Rescale_reports_the_first_inexact_code(int code, float oldScale, float newScale)
    {
        var rescaled = new byte[2];
        Assert.Equal(1, E4M3Rescaling.TryRescale([0x38, (byte)code], oldScale, newScale, rescaled));
    }

    [Fact]
    public void Every_code_survives_a_unit_rescale()
    {
        var codes = Enumerable.Range(0, 256).Select(c => (byte)c).Where(c => c is not (0x7F or 0xFF)).ToArray();
        var rescaled = new byte[codes.Length];

        Assert.Equal(-1, E4M3Rescaling.TryRescale(codes, 0.375f, 0.375f, rescaled));
        Assert.Equal(codes, rescaled);
    }
}
