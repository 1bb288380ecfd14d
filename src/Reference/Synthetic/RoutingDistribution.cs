using System.Globalization;

namespace MoeTune.Reference.Synthetic;

/// <summary>The families of synthetic routing.</summary>
public enum RoutingDistributionKind
{
    /// <summary>Every expert equally likely.</summary>
    Uniform,

    /// <summary>Expert popularity falls off as 1/rank^s (skewed, like real routers' hot experts).</summary>
    Zipf,

    /// <summary>Every token on the same experts: all load on one expert, the rest of top-k on its neighbours.</summary>
    SingleExpert,
}

/// <summary>How <see cref="SyntheticInputs.DrawRouting"/> spreads tokens over experts.</summary>
public sealed record RoutingDistribution
{
    private RoutingDistribution(RoutingDistributionKind kind, double zipfExponent)
    {
        Kind = kind;
        ZipfExponent = zipfExponent;
    }

    public static RoutingDistribution Uniform { get; } = new(RoutingDistributionKind.Uniform, 0);

    public static RoutingDistribution SingleExpert { get; } = new(RoutingDistributionKind.SingleExpert, 0);

    public RoutingDistributionKind Kind { get; }

    /// <summary>The exponent s of <see cref="RoutingDistributionKind.Zipf"/> (0 for the other kinds).</summary>
    public double ZipfExponent { get; }

    /// <summary>Popularity ∝ 1/rank^<paramref name="exponent"/> over a seeded ranking of the experts; s = 0 is uniform.</summary>
    public static RoutingDistribution Zipf(double exponent)
    {
        if (!double.IsFinite(exponent) || exponent < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(exponent), exponent, "the Zipf exponent must be finite and non-negative");
        }

        return new RoutingDistribution(RoutingDistributionKind.Zipf, exponent);
    }

    /// <summary>A short label: <c>uniform</c>, <c>zipf(1.2)</c>, <c>single-expert</c>.</summary>
    public override string ToString() => Kind switch
    {
        RoutingDistributionKind.Uniform => "uniform",
        RoutingDistributionKind.Zipf => string.Create(CultureInfo.InvariantCulture, $"zipf({ZipfExponent})"),
        _ => "single-expert",
    };
}
