namespace MoeTune.Engine.Bench.Ceilings;

/// <summary>Which limit of the hardware a <see cref="Ceiling"/> is.</summary>
public enum CeilingKind
{
    /// <summary>Bytes read per second by a read-only streaming sweep: the memory side of the roofline.</summary>
    ReadBandwidth,

    /// <summary>Bytes read plus bytes written per second by a device-to-device copy, for comparison with DESIGN.md's figures.</summary>
    CopyBandwidth,

    /// <summary>Dense bf16 matrix rate, FLOP/s: the compute side of the roofline for bf16 and 4-bit weights (W4A16).</summary>
    Bf16MatrixRate,

    /// <summary>Dense FP8 matrix rate, FLOP/s: the compute side for FP8 weights (W8A8).</summary>
    Fp8MatrixRate,
}

/// <summary>
/// One measured limit of the device the run used, or why it could not be measured. <see cref="Method"/> says exactly
/// how it was obtained (which kernel or library, what size), so a CPU ceiling or a fallback kernel is never mistaken
/// for the real thing.
/// </summary>
/// <param name="Kind">Which limit.</param>
/// <param name="Method">How it was measured, for example "cuBLASLt 12.8.4 bf16 8192³ TN GEMM".</param>
/// <param name="PerSecond">Bytes or FLOP per second; null where unavailable.</param>
/// <param name="WorkPerCall">Bytes or FLOP one timed call does.</param>
/// <param name="Timing">The timing the rate comes from; null where unavailable.</param>
/// <param name="Unavailable">Why there is no value (or why a fallback was used), empty when measured as intended.</param>
public sealed record Ceiling(CeilingKind Kind, string Method, double? PerSecond, double WorkPerCall, TimingSummary? Timing, string Unavailable = "")
{
    public bool IsAvailable => PerSecond is > 0;

    /// <summary>The unit of <see cref="PerSecond"/>.</summary>
    public string Unit => Kind is CeilingKind.ReadBandwidth or CeilingKind.CopyBandwidth ? "B/s" : "FLOP/s";

    public static Ceiling Measured(CeilingKind kind, string method, double workPerCall, TimingSummary timing, string note = "") =>
        new(kind, method, workPerCall / (timing.MedianMicroseconds * 1e-6), workPerCall, timing, note);

    public static Ceiling Missing(CeilingKind kind, string method, string reason) => new(kind, method, null, 0, null, reason);
}
