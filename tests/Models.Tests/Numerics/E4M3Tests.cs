using MoeTune.Models.Numerics;

namespace MoeTune.Models.Tests.Numerics;

public sealed class E4M3Tests
{
    [Theory]
    [InlineData(0x00, 0.0)]
    [InlineData(0x01, 0.001953125)] // smallest subnormal 2^-9
    [InlineData(0x07, 0.013671875)] // largest subnormal 7·2^-9
    [InlineData(0x08, 0.015625)] // smallest normal 2^-6
    [InlineData(0x38, 1.0)]
    [InlineData(0x39, 1.125)]
    [InlineData(0x7E, 448.0)] // max
    [InlineData(0xB8, -1.0)]
    [InlineData(0xFE, -448.0)]
    public void Decodes_the_fn_variant(int code, double value)
    {
        Assert.Equal(value, E4M3.Decode((byte)code));
    }

    [Fact]
    public void Only_the_two_all_ones_codes_are_nan()
    {
        Assert.True(double.IsNaN(E4M3.Decode(0x7F)));
        Assert.True(double.IsNaN(E4M3.Decode(0xFF)));
        Assert.Equal(254, Enumerable.Range(0, 256).Count(c => double.IsFinite(E4M3.Decode((byte)c))));
    }

    [Fact]
    public void Power_of_two_rescale_shifts_the_exponent_exactly()
    {
        byte[] codes = [0x38, 0xB9, 0x00, 0x50, 0x10];
        var rescaled = new byte[codes.Length];

        // x · 0.25 = x' · 0.5, so x' = x / 2: one exponent step down for normal numbers.
        Assert.Equal(-1, E4M3.TryRescale(codes, 0.25f, 0.5f, rescaled));

        Assert.Equal(new byte[] { 0x30, 0xB1, 0x00, 0x48, 0x08 }, rescaled);
        for (var i = 0; i < codes.Length; i++) Assert.Equal(E4M3.Decode(codes[i]) * 0.25, E4M3.Decode(rescaled[i]) * 0.5);
    }

    [Fact]
    public void Rescale_into_subnormals_is_exact_only_while_their_bits_suffice()
    {
        byte[] codes = [0x08, 0x0C]; // 2^-6 and 1.5·2^-6
        var rescaled = new byte[2];

        // ÷4: 2^-8 = 2·2^-9 and 1.5·2^-8 = 3·2^-9, both subnormals.
        Assert.Equal(-1, E4M3.TryRescale(codes, 1f, 4f, rescaled));
        Assert.Equal(new byte[] { 0x02, 0x03 }, rescaled);

        // ÷8: 1.5·2^-9 is not a multiple of 2^-9, so the second code has no exact counterpart.
        Assert.Equal(1, E4M3.TryRescale(codes, 1f, 8f, rescaled));
    }

    [Theory]
    [InlineData(0x7E, 1f, 0.5f)] // 448 · 2 overflows
    [InlineData(0x39, 3f, 1f)] // 1.125 · 3 = 3.375 needs five significant bits
    [InlineData(0x7F, 1f, 1f)] // NaN has no counterpart
    public void Rescale_reports_the_first_inexact_code(int code, float oldScale, float newScale)
    {
        var rescaled = new byte[2];
        Assert.Equal(1, E4M3.TryRescale([0x38, (byte)code], oldScale, newScale, rescaled));
    }
}
