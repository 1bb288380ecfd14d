using System.Diagnostics;

namespace MoeTune.Engine.Autotuning.Probing;

/// <summary>
/// Starts probes with the moetune host: this very executable where the process is the moetune apphost, otherwise
/// <c>moetune.dll</c> from the host's folder (the application's own by default, where the command line and the tests
/// have it) through the dotnet host that runs this process.
/// </summary>
public sealed class HostProbeLauncher : IProbeLauncher
{
    /// <summary>The host's assembly name (<c>moetune.dll</c>, or the <c>moetune</c> apphost).</summary>
    public const string HostName = "moetune";

    /// <summary>The hidden command that runs <see cref="ProbeWorker"/>.</summary>
    public const string Command = "probe";

    private readonly string _hostDirectory;

    public HostProbeLauncher()
        : this(AppContext.BaseDirectory)
    {
    }

    /// <param name="hostDirectory">The folder holding moetune.dll.</param>
    public HostProbeLauncher(string hostDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hostDirectory);
        _hostDirectory = hostDirectory;
    }

    public ProcessStartInfo CreateStartInfo(string requestFile)
    {
        ArgumentNullException.ThrowIfNull(requestFile);
        var self = Environment.ProcessPath;
        ProcessStartInfo start;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == HostName)
        {
            start = new ProcessStartInfo(self);
        }
        else
        {
            var assembly = Path.Combine(_hostDirectory, HostName + ".dll");
            if (!File.Exists(assembly))
            {
                throw new InvalidOperationException(
                    $"candidates are probed by '{HostName} {Command}', and there is no {HostName}.dll in {_hostDirectory}: ship the moetune host "
                    + $"there, register another {nameof(IProbeLauncher)}, or switch candidate isolation off");
            }

            // Under 'dotnet app.dll' the process is the dotnet host; under an apphost DOTNET_HOST_PATH may name one.
            var dotnet = self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet"
                ? self
                : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
            start = new ProcessStartInfo(dotnet);
            start.ArgumentList.Add(assembly);
        }

        start.ArgumentList.Add(Command);
        start.ArgumentList.Add(requestFile);
        return start;
    }
}
