using MoeTune.Tuning;

namespace MoeTune.Tuning.Tests.Plans;

public sealed class TokenBucketsTests
{
    [Fact]
    public void Buckets_are_the_powers_of_two_up_to_16384()
    {
        Assert.Equal(15, TokenBuckets.All.Count);
        Assert.Equal(1, TokenBuckets.All[0]);
        Assert.Equal(16384, TokenBuckets.All[^1]);
        Assert.All(TokenBuckets.All.Skip(1).Zip(TokenBuckets.All), p => Assert.Equal(2 * p.Second, p.First));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(65, 128)]
    [InlineData(16384, 16384)]
    [InlineData(16385, 16384)]
    [InlineData(int.MaxValue, 16384)]
    public void A_token_count_belongs_to_the_smallest_bucket_that_holds_it(int tokens, int bucket) =>
        Assert.Equal(bucket, TokenBuckets.For(tokens));

    [Fact]
    public void No_tokens_is_an_error() => Assert.Throws<ArgumentOutOfRangeException>(() => TokenBuckets.For(0));

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(48, false)]
    [InlineData(32768, false)]
    public void Only_listed_buckets_are_buckets(int tokens, bool isBucket) => Assert.Equal(isBucket, TokenBuckets.IsBucket(tokens));
}
