using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using MoeTune.Host.Cli;
using MoeTune.TuningDb;

namespace MoeTune.Host.Commands.Db;

/// <summary><c>moetune db import FILE</c>: merges an export; newer records win, a bad file changes nothing.</summary>
internal static class DbImport
{
    public static Command Build(CliContext context)
    {
        var file = new Argument<string>("file") { Description = "A JSON file written by 'moetune db export'." };
        var command = new Command("import", "Merge an exported JSON file into the store (newer records win; a bad file changes nothing).") { file };
        CommandAction.Set(command, context, parse =>
        {
            var path = parse.GetRequiredValue(file);
            if (!File.Exists(path))
            {
                throw CliException.Usage($"no such file: {path}");
            }

            using var services = context.CreateServices(parse.GetValue(CommonOptions.Verbose));
            var store = services.GetRequiredService<TuningStore>();
            ImportSummary summary;
            using (var stream = File.OpenRead(path))
            {
                summary = store.Import(stream, path);
            }

            context.Output.WriteLine($"imported {path} into {store.Location}: {summary}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
