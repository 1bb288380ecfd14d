namespace MoeTune.Reference.Synthetic;

/// <summary>Draws one token's distinct experts for a <see cref="RoutingDistribution"/>.</summary>
internal sealed class ExpertSampler
{
    private readonly RoutingDistributionKind _kind;
    private readonly int[] _experts;
    private readonly double[] _logPopularity;
    private readonly double[] _keys;

    private ExpertSampler(RoutingDistributionKind kind, int[] experts, double[] logPopularity)
    {
        _kind = kind;
        _experts = experts;
        _logPopularity = logPopularity;
        _keys = new double[experts.Length];
    }

    public static ExpertSampler For(RoutingDistribution distribution, int experts, ref Xoshiro256StarStar random)
    {
        var order = Enumerable.Range(0, experts).ToArray();
        switch (distribution.Kind)
        {
            case RoutingDistributionKind.Uniform:
                return new ExpertSampler(distribution.Kind, order, []);
            case RoutingDistributionKind.SingleExpert:
                var hot = random.NextInt(experts);
                return new ExpertSampler(distribution.Kind, order.Select(i => (hot + i) % experts).ToArray(), []);
            case RoutingDistributionKind.Zipf:
                // Ranks go to experts through a seeded shuffle, so the hot experts are not simply the low ids.
                Shuffle(ref random, order);
                var logPopularity = Enumerable.Range(0, experts).Select(rank => -distribution.ZipfExponent * Math.Log(rank + 1)).ToArray();
                return new ExpertSampler(distribution.Kind, order, logPopularity);
            default:
                throw new ArgumentOutOfRangeException(nameof(distribution), distribution.Kind, "unknown routing distribution");
        }
    }

    public void Draw(ref Xoshiro256StarStar random, Span<int> chosen)
    {
        switch (_kind)
        {
            case RoutingDistributionKind.SingleExpert:
                _experts.AsSpan(0, chosen.Length).CopyTo(chosen);
                break;
            case RoutingDistributionKind.Uniform:
                // A partial Fisher-Yates shuffle; the array stays a permutation, so the next token starts from any order.
                for (var j = 0; j < chosen.Length; j++)
                {
                    var pick = j + random.NextInt(_experts.Length - j);
                    (_experts[j], _experts[pick]) = (_experts[pick], _experts[j]);
                    chosen[j] = _experts[j];
                }

                break;
            default:
                // Gumbel top-k: the k largest log p + Gumbel noise are a draw without replacement proportional to p.
                for (var rank = 0; rank < _keys.Length; rank++)
                {
                    _keys[rank] = _logPopularity[rank] - Math.Log(-Math.Log(1.0 - random.NextDouble()));
                }

                for (var j = 0; j < chosen.Length; j++)
                {
                    var best = 0;
                    for (var rank = 1; rank < _keys.Length; rank++)
                    {
                        if (_keys[rank] > _keys[best])
                        {
                            best = rank;
                        }
                    }

                    chosen[j] = _experts[best];
                    _keys[best] = double.NegativeInfinity;
                }

                break;
        }
    }

    private static void Shuffle(ref Xoshiro256StarStar random, int[] values)
    {
        for (var i = values.Length - 1; i > 0; i--)
        {
            var j = random.NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }
}
