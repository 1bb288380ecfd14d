namespace MoeTune.Plugins.Marlin.Planning;

/// <summary>
/// Launch choices of the decode path that a measurement may fix instead of the layer's own rules, so that
/// tools/kernel-timer can time both sides of a rule on one card in one run (session 6 found the n-tile threshold that way,
/// NOTES.md). Null fields keep the layer's choice; <see cref="None"/> (every layer the engine prepares) keeps all.
/// </summary>
public sealed record DecodeOverrides
{
    public static DecodeOverrides None { get; } = new();

    /// <summary>
    /// N-tiles (8 pairs each) of the kernel every decode forward runs, 1 or 2, in place of
    /// <see cref="DecodeLaunch.ColumnTiles"/>. Either count computes any routing exactly (an expert with more pairs than
    /// the kernel's columns runs in several groups).
    /// </summary>
    public int? ColumnTiles
    {
        get;
        init => field = value is null or 1 or 2
            ? value
            : throw new ArgumentOutOfRangeException(nameof(ColumnTiles), value, "a decode kernel has 1 or 2 n-tiles");
    }

    /// <summary>
    /// This many CTAs per SM in every decode grid (at most what the SM holds), in place of <see cref="DecodeGrid"/>'s
    /// choice; the CTAs keep the shared-memory share of the full count, so their rings stay as deep.
    /// </summary>
    public int? CtasPerSm
    {
        get;
        init => field = value is null or > 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(CtasPerSm), value, "at least one CTA per SM");
    }

    /// <summary>
    /// K splits of GEMM2 in every decode forward, in place of <see cref="LayerGeometry.DecodeSplits2"/>: 1 up to the
    /// shape's K chunks (the layer refuses more when it is prepared). The workspace grows to hold the partials.
    /// </summary>
    public int? Splits2
    {
        get;
        init => field = value is null or > 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Splits2), value, "at least one GEMM2 split");
    }
}
