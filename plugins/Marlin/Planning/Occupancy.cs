namespace MoeTune.Plugins.Marlin.Planning;

/// <summary>One SM's resources, as the driver reports them.</summary>
public sealed record SmResources(int Registers, int Threads, int SharedBytes);

/// <summary>
/// How many CTAs of a kernel an SM holds at once: the driver's occupancy rule for SM 8.0 and newer (registers allocated
/// per warp in units of 256, 1 KiB of shared memory reserved per CTA). The decode kernel sizes its persistent grid with
/// it; the grid need not be exact, since its items are handed out by ticket (a CTA that starts late finds none left).
/// </summary>
public static class Occupancy
{
    private const int RegisterUnit = 256;
    private const int ReservedSharedBytes = 1024;
    private const int MaxCtasPerSm = 32;

    public static int ResidentCtas(SmResources sm, int registersPerThread, int threadsPerCta, int sharedBytesPerCta)
    {
        ArgumentNullException.ThrowIfNull(sm);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(registersPerThread);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threadsPerCta);
        ArgumentOutOfRangeException.ThrowIfNegative(sharedBytesPerCta);
        var warps = (threadsPerCta + 31) / 32;
        var registersPerWarp = (((registersPerThread * 32) + RegisterUnit - 1) / RegisterUnit) * RegisterUnit;
        var byRegisters = sm.Registers / registersPerWarp / warps;
        var byThreads = sm.Threads / (warps * 32);
        var byShared = sm.SharedBytes / (sharedBytesPerCta + ReservedSharedBytes);
        return Math.Min(MaxCtasPerSm, Math.Min(byRegisters, Math.Min(byThreads, byShared)));
    }
}
