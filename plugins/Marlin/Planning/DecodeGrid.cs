namespace MoeTune.Plugins.Marlin.Planning;

/// <summary>
/// CTAs per SM of an overlapped bulk-copy decode forward: as many as an SM holds, or one fewer where that fills GEMM1's
/// last wave of work items markedly better. GEMM1 items of a forward are few and long at small T (a Qwen3 item streams
/// 74 KB), every GEMM2 item waits for its expert's GEMM1, and tickets hand GEMM1 items out in waves of one per CTA, so a
/// part-empty last wave leaves the GEMM1 -> GEMM2 hand-over waiting for its stragglers. The CTAs keep the ring of the
/// full count (the launch's shared memory is unchanged), only the grid shrinks.
/// Measured on an H100 (NOTES.md, session 7; four CTAs per SM against three, µs): qwen3-30b-a3b T = 1 27.0 / 25.2 and
/// T = 2 35.3 / 33.1, qwen3-235b-a22b T = 1 52.0 / 47.9, nemotron-3-super T = 1 47.6 / 46.8, where three CTAs fill GEMM1's
/// waves by 0.97, 0.97, 0.97 and 0.93 against 0.73, 0.73, 0.73 and 0.88; and the other way round for deepseek-v3 T = 1
/// (86.4 / 88.2; 0.97 against 0.86), qwen3-235b-a22b and nemotron-3-super at T = 2 and every preset at T = 4, whose
/// waves fill equally or better at four. Mixtral-8x7b at T = 1 (87.1 / 91.2) is a forward of two experts, whose GEMM2 waits
/// for one expert's GEMM1 whatever the waves; such forwards (<see cref="KernelLimits.DecodeGemm2PrefetchExperts"/>) keep
/// the full count.
/// </summary>
public static class DecodeGrid
{
    /// <summary>How much better one CTA fewer must fill GEMM1's waves (as a share of the slots) to be chosen.</summary>
    public const double MinimumWaveGain = 0.05;

    /// <summary>The share of <paramref name="ctas"/> × waves slots that <paramref name="items"/> work items fill.</summary>
    public static double WaveFill(long items, long ctas)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(items);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ctas);
        var waves = (items + ctas - 1) / ctas;
        return (double)items / (waves * ctas);
    }

    /// <summary>
    /// CTAs per SM for a forward whose GEMM1 has <paramref name="gemm1Items"/> work items over
    /// <paramref name="activeExperts"/> experts (upper bounds for the routing the launch cannot see), when an SM holds
    /// <paramref name="resident"/> CTAs and the GPU has <paramref name="multiprocessors"/> SMs.
    /// </summary>
    public static int CtasPerSm(int resident, int multiprocessors, long gemm1Items, int activeExperts)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(resident);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(multiprocessors);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(gemm1Items);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(activeExperts);
        if (resident == 1 || activeExperts <= KernelLimits.DecodeGemm2PrefetchExperts)
        {
            return resident;
        }

        var full = WaveFill(gemm1Items, (long)resident * multiprocessors);
        var fewer = WaveFill(gemm1Items, (long)(resident - 1) * multiprocessors);
        return fewer >= full + MinimumWaveGain ? resident - 1 : resident;
    }
}
