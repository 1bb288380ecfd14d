using MoeTune.Plugins.Marlin.Planning;

namespace MoeTune.Plugins.Tests.Marlin;

public sealed class DecodeGridTests
{
    private const int H100Sms = 132;

    [Theory]
    [InlineData(384, 528, 384.0 / 528)]   // one wave, part-empty
    [InlineData(768, 396, 768.0 / 792)]   // two waves of 396
    [InlineData(1056, 528, 1.0)]          // two whole waves
    public void Wave_fill_is_the_share_of_slots_the_items_take(long items, long ctas, double fill) =>
        Assert.Equal(fill, DecodeGrid.WaveFill(items, ctas), 12);

    // The cases session 7 measured on an H100 (four resident CTAs): GEMM1 items = active experts x (W13 tiles / 2).
    [Theory]
    [InlineData("qwen3-30b-a3b, T = 1", 8 * 48, 8, 3)]        // 0.73 -> 0.97
    [InlineData("qwen3-30b-a3b, T = 2", 16 * 48, 16, 3)]      // 0.73 -> 0.97
    [InlineData("qwen3-235b-a22b, T = 1", 8 * 96, 8, 3)]      // 0.73 -> 0.97
    [InlineData("nemotron-3-super, T = 1", 22 * 84, 22, 3)]   // 0.875 -> 0.933
    [InlineData("qwen3-235b-a22b, T = 2", 16 * 96, 16, 4)]    // equal fill
    [InlineData("nemotron-3-super, T = 2", 44 * 84, 44, 4)]   // whole waves at four
    [InlineData("deepseek-v3, T = 1", 8 * 128, 8, 4)]         // 0.97 -> 0.86
    [InlineData("qwen3-30b-a3b, T = 4", 32 * 48, 32, 4)]
    [InlineData("mixtral-8x7b, T = 4", 8 * 896, 8, 4)]
    [InlineData("mixtral-8x7b, T = 1", 2 * 896, 2, 4)]        // two experts: the full count whatever the waves
    public void One_cta_fewer_only_where_it_fills_gemm1s_waves_markedly_better(string forward, long gemm1Items, int activeExperts, int expected) =>
        Assert.True(expected == DecodeGrid.CtasPerSm(4, H100Sms, gemm1Items, activeExperts), forward);

    [Fact]
    public void A_single_resident_cta_stays() => Assert.Equal(1, DecodeGrid.CtasPerSm(1, H100Sms, 8 * 48, 8));

    [Fact]
    public void Counts_must_be_positive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DecodeGrid.CtasPerSm(0, H100Sms, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => DecodeGrid.CtasPerSm(4, H100Sms, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => DecodeGrid.WaveFill(1, 0));
    }
}
