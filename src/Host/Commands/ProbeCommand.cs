using System.CommandLine;
using Microsoft.Extensions.Logging;
using MoeTune.Engine.Autotuning.Probing;
using MoeTune.Host.Cli;

namespace MoeTune.Host.Commands;

/// <summary>
/// <c>moetune probe REQUEST</c>, hidden: the child process in which the tuner measures one candidate it does not trust
/// with its own process (<see cref="ProbeWorker"/>). It loads the plugins from the request's application folder and
/// MOETUNE_PLUGINS, as the tuner did, and answers on standard output in the probe protocol. Its log carries errors
/// only: the tuner has already reported the plugin warnings once.
/// </summary>
internal sealed class ProbeCommand : ICliCommand
{
    public IReadOnlyList<string> Examples { get; } = [];

    public Command Build(CliContext context)
    {
        var request = new Argument<string>("request") { Description = "The probe request file the tuner wrote." };
        var command = new Command(HostProbeLauncher.Command, "Measure one tuning candidate for a tuner in another process (internal).")
        {
            request,
        };
        command.Hidden = true;
        command.SetAction(parse => ProbeWorker.Run(
            parse.GetRequiredValue(request),
            context.Output,
            applicationDirectory => context.CreateServices(LogLevel.Error, options => options.ApplicationDirectory = applicationDirectory)));
        return command;
    }
}
