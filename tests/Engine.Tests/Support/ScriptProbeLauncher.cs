using System.Diagnostics;
using MoeTune.Engine.Autotuning.Probing;

namespace MoeTune.Engine.Tests.Support;

/// <summary>
/// A probe launcher that runs a shell script instead of <c>moetune probe</c>, so that tests can make a "probe" crash,
/// hang, print garbage or answer wrongly, exactly as a real child could, and see what the tuner makes of it.
/// </summary>
internal sealed class ScriptProbeLauncher(string script) : IProbeLauncher
{
    public ProcessStartInfo CreateStartInfo(string requestFile)
    {
        var start = new ProcessStartInfo("/bin/sh");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        return start;
    }
}
