namespace MoeTune.Plugins.Tests.Marlin;

/// <summary>
/// The decode kernel divides item indices by the launch's tile, split and top-k counts with a multiply-high and a
/// shift (fast_divisor, quotient); the formula, modelled in <see cref="DeviceModel.FastQuotient"/>, must be exact
/// for every divisor and every index it can meet (indices stay far below 2^31).
/// </summary>
public sealed class FastDivisionTests
{
    [Fact]
    public void Small_divisors_divide_every_small_index_exactly()
    {
        for (uint divisor = 1; divisor <= 600; divisor++)
        {
            for (uint n = 0; n < 4096; n++)
            {
                Assert.Equal(n / divisor, DeviceModel.FastQuotient(n, divisor));
            }
        }
    }

    [Theory]
    [InlineData(1792u)]
    [InlineData(4096u)]
    [InlineData(7u)]
    [InlineData(22u)]
    [InlineData(65_535u)]
    [InlineData(1u << 20)]
    [InlineData(1_000_003u)]
    public void Large_indices_up_to_two_to_the_31_divide_exactly(uint divisor)
    {
        var random = new Random((int)divisor);
        var samples = Enumerable.Range(0, 20_000).Select(_ => (uint)random.Next()).Append((uint)int.MaxValue).Append(0u);
        Assert.All(samples, n => Assert.Equal(n / divisor, DeviceModel.FastQuotient(n, divisor)));
    }
}
