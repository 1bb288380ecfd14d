using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using MoeTune.Host.Cli;
using MoeTune.TuningDb;

namespace MoeTune.Host.Commands.Db;

/// <summary><c>moetune db forget</c>: deletes matching decisions (and, without --objective, their measurements), so the next run re-tunes.</summary>
internal static class DbForget
{
    public static Command Build(CliContext context)
    {
        var filter = new DbFilter();
        var all = new Option<bool>("--all") { Description = "Forget every record (required when no filter is given)." };
        var command = new Command("forget", "Delete matching decisions and measurements so that the next run re-tunes (exit 5 when none match).") { all };
        filter.AddTo(command);
        CommandAction.Set(command, context, parse =>
        {
            var (problem, gpu, objective) = filter.Read(parse);
            if (problem is null && gpu is null && objective is null && !parse.GetValue(all))
            {
                throw CliException.Usage("give --model, --gpu or --objective to choose what to forget, or --all for everything");
            }

            using var services = context.CreateServices(parse.GetValue(CommonOptions.Verbose));
            var store = services.GetRequiredService<TuningStore>();
            var (decisions, measurements) = store.Forget(gpu, problem?.Hash, objective);
            if (decisions + measurements == 0)
            {
                context.Error.WriteLine($"error: nothing matched in {store.Location}");
                return ExitCodes.NotFound;
            }

            context.Output.WriteLine($"forgot {decisions} decision(s) and {measurements} measurement(s) in {store.Location}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
