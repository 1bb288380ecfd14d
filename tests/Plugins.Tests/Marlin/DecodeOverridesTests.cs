using MoeTune.Cuda.Compilation;
using MoeTune.Plugins.Marlin;
using MoeTune.Plugins.Marlin.Planning;

namespace MoeTune.Plugins.Tests.Marlin;

public sealed class DecodeOverridesTests
{
    [Fact]
    public void None_fixes_nothing_and_is_what_a_backend_starts_with()
    {
        Assert.Equal((null, null, null), (DecodeOverrides.None.ColumnTiles, DecodeOverrides.None.CtasPerSm, DecodeOverrides.None.Splits2));
        Assert.Same(DecodeOverrides.None, new MarlinBackend(new KernelCompiler(diskCache: null)).DecodeOverrides);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void One_or_two_n_tiles_may_be_fixed(int columnTiles) =>
        Assert.Equal(columnTiles, new DecodeOverrides { ColumnTiles = columnTiles }.ColumnTiles);

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Other_n_tile_counts_are_refused_with_the_value(int columnTiles)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new DecodeOverrides { ColumnTiles = columnTiles });
        Assert.Equal(columnTiles, error.ActualValue);
        Assert.Contains("1 or 2 n-tiles", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fixed_count_of_ctas_per_sm_is_at_least_one()
    {
        Assert.Equal(3, new DecodeOverrides { CtasPerSm = 3 }.CtasPerSm);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new DecodeOverrides { CtasPerSm = 0 });
        Assert.Contains("at least one CTA per SM", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fixed_count_of_gemm2_splits_is_at_least_one()
    {
        Assert.Equal(2, new DecodeOverrides { Splits2 = 2 }.Splits2);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new DecodeOverrides { Splits2 = 0 });
        Assert.Contains("at least one GEMM2 split", error.Message, StringComparison.Ordinal);
    }
}
