namespace MoeTune.Reference.Tests.Support;

/// <summary>The spacing of E2M1's grid, for error bounds.</summary>
public static class E2M1Steps
{
    /// <summary>
    /// Half the gap between the E2M1 values around a magnitude in [0, 6]: values are 0.5 apart up to 2, 1 apart
    /// up to 4 and 2 apart up to 6, so round-to-nearest errs by at most 0.25, 0.5 and 1 there.
    /// </summary>
    public static double HalfStep(double magnitude) => magnitude switch
    {
        <= 2 => 0.25,
        <= 4 => 0.5,
        _ => 1.0,
    };
}
