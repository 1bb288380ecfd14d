using MoeTune.Cuda.Native;

namespace MoeTune.Cuda.Tests.Compilation;

/// <summary>Skips (never passes) a test that needs NVRTC where it cannot be loaded, saying why.</summary>
internal static class NvrtcRequirement
{
    public static void Require()
    {
        Assert.SkipUnless(NvrtcLibrary.TryLoad(out var reason), $"NVRTC is not available here (run tools/get-nvrtc and set MOETUNE_NVRTC): {reason}");
    }
}
