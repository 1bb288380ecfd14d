using System.Diagnostics;

namespace MoeTune.Engine.Autotuning.Probing;

/// <summary>
/// Says how to start a probe child: a process that runs <c>moetune probe REQUEST_FILE</c> (or anything that speaks
/// <see cref="ProbeWorker"/>'s protocol). The default, <see cref="HostProbeLauncher"/>, runs the moetune host; register
/// another in the container where the host lives elsewhere.
/// </summary>
public interface IProbeLauncher
{
    /// <summary>
    /// The command for one probe of <paramref name="requestFile"/>. The tuner sets the redirections and the MOETUNE_*
    /// environment itself.
    /// </summary>
    /// <exception cref="InvalidOperationException">No probe can be started here; the message says why and what to do.</exception>
    ProcessStartInfo CreateStartInfo(string requestFile);
}
