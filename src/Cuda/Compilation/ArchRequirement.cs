using System.Diagnostics.CodeAnalysis;

namespace MoeTune.Cuda.Compilation;

/// <summary>
/// Which GPUs a kernel build can run on: a compute-capability range, and whether it needs the arch-specific target
/// (<c>sm_90a</c> for wgmma and TMA multicast; then it runs only on that exact capability, so give a one-value range).
/// </summary>
public sealed record ArchRequirement(int MinCapability, int MaxCapability = int.MaxValue, bool ArchSpecific = false)
{
    /// <summary>Any GPU from Ampere (SM 8.0) on; compiled for the device's own sm_XY.</summary>
    public static ArchRequirement Sm80Plus { get; } = new(80);

    /// <summary>Hopper only, with arch-specific instructions (wgmma, setmaxnreg): compiled for sm_90a.</summary>
    public static ArchRequirement Sm90aOnly { get; } = new(90, 90, ArchSpecific: true);

    /// <summary>Whether a cubin built for <paramref name="target"/> is one this build may be compiled to.</summary>
    public bool Allows(GpuArch target) =>
        target.Capability >= MinCapability && target.Capability <= MaxCapability && (!ArchSpecific || target.ArchSpecific);

    /// <summary>The target to compile for a device of compute capability <paramref name="major"/>.<paramref name="minor"/>, or why there is none.</summary>
    public bool TrySelectTarget(int major, int minor, out GpuArch target, [NotNullWhen(false)] out string? reason)
    {
        target = new GpuArch(major, minor, ArchSpecific);
        if (Allows(target))
        {
            reason = null;
            return true;
        }

        reason = $"needs {this}; the device is sm_{major}{minor}";
        return false;
    }

    public override string ToString()
    {
        var suffix = ArchSpecific ? " (arch-specific)" : "";
        return MaxCapability == int.MaxValue
            ? $"compute capability {MinCapability} or newer{suffix}"
            : MinCapability == MaxCapability
                ? $"compute capability {MinCapability}{suffix}"
                : $"compute capability {MinCapability} to {MaxCapability}{suffix}";
    }
}
